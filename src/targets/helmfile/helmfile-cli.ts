/**
 * The helmfile verbs croncd uses — list, diff, apply — with the target's global flags. Only exit
 * codes and the per-release `Comparing release=…` blocks are read; helmfile's summary tables are
 * not (their format changed between v1.4 and v1.6).
 */
import type { ExecResult } from "../../ports/exec.js";
import type { HelmfileTargetConfig } from "./schema.js";
import type { ToolRunner } from "./tools.js";

export interface HelmfileInvocation {
  runner: ToolRunner;
  config: Pick<HelmfileTargetConfig, "environment" | "selectors" | "commandTimeout" | "wait" | "timeout">;
  /** The overlay folder helmfile runs in, and the helmfile's path relative to it. */
  cwd: string;
  file: string;
  contextArgs: string[];
}

/** helm-diff compares with the stored manifest only; the three-way merge also sees live edits. */
const DIFF_ENV = { HELM_DIFF_THREE_WAY_MERGE: "true" };

function globalArgs(call: HelmfileInvocation, selectors: readonly string[]): string[] {
  return [
    "--file",
    call.file,
    ...(call.config.environment ? ["--environment", call.config.environment] : []),
    ...selectors.flatMap((selector) => ["--selector", selector]),
    ...call.contextArgs,
  ];
}

export function helmfileList(call: HelmfileInvocation): Promise<ExecResult> {
  return call.runner.run(
    "helmfile",
    [...globalArgs(call, call.config.selectors), "list", "--output", "json", "--skip-charts"],
    { cwd: call.cwd, timeoutMs: call.config.commandTimeout * 1000, label: "list" },
  );
}

/**
 * `helm template` of one release, through helmfile: proves the chart and values render (no cluster
 * needed) before anything is compared or applied, as a stack's compose file is rendered first.
 */
export function helmfileTemplate(
  call: HelmfileInvocation,
  release: { name: string; namespace: string },
): Promise<ExecResult> {
  return call.runner.run("helmfile", [...globalArgs(call, [releaseSelector(release)]), "template"], {
    cwd: call.cwd,
    timeoutMs: call.config.commandTimeout * 1000,
    label: "template",
  });
}

/** The whole target's diff, or (with `selectors`) one release's. */
export function helmfileDiff(
  call: HelmfileInvocation,
  selectors: readonly string[] = call.config.selectors,
): Promise<ExecResult> {
  return call.runner.run(
    "helmfile",
    [...globalArgs(call, selectors), "diff", "--detailed-exitcode", "--suppress-secrets"],
    { cwd: call.cwd, timeoutMs: call.config.commandTimeout * 1000, env: DIFF_ENV, label: "diff" },
  );
}

/** Applies one release: one helmfile per release, so one failure cannot hide another's result. */
export function helmfileApplyOne(
  call: HelmfileInvocation,
  release: { name: string; namespace: string },
  graceSeconds: number,
): Promise<ExecResult> {
  const timeout = call.config.timeout;
  const args = [
    ...globalArgs(call, [releaseSelector(release)]),
    "apply",
    "--suppress-secrets",
    ...(call.config.wait ? ["--wait"] : []),
    ...(timeout ? ["--timeout", String(timeout)] : []),
  ];
  // helm's own --timeout ends the wait; croncd's outer limit only catches a helmfile that hangs.
  const limitSeconds = (timeout ?? call.config.commandTimeout) + graceSeconds;
  return call.runner.run("helmfile", args, {
    cwd: call.cwd,
    timeoutMs: limitSeconds * 1000,
    env: DIFF_ENV,
    label: "apply",
  });
}

/** The selector that picks exactly one release. */
export const releaseSelector = (release: { name: string; namespace: string }): string =>
  `name=${release.name},namespace=${release.namespace}`;
