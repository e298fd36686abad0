/**
 * One croncd run: pull every source the selected targets need, then drive each target through
 * its stages. Returns the report; the caller decides what to print and which exit code to use.
 */
import path from "node:path";
import type { CroncdConfig } from "../config/schema.js";
import { ConfigError, describeError, ExitCode } from "../errors.js";
import {
  changeEntry,
  hasChanges,
  hasDrift,
  hasRealFailures,
  hasUnavailable,
  type ChangeSetEntry,
} from "../model/changeset.js";
import type { SourceSummary } from "../report/json-report.js";
import type { Logger } from "../report/logger.js";
import type { RunMode } from "./commands.js";
import { pullSources, type PulledSource } from "./pull.js";
import { formatEntry } from "../report/text.js";
import { deliverTarget } from "./deliver-target.js";
import { incompleteness, renderTarget, EarlyLiveStates, type RenderedTarget } from "./render-targets.js";
import { createWorkspace } from "./workspace.js";
import { cleanUpAfterKilledRuns } from "./killed-runs.js";
import { RunLocks } from "./run-locks.js";
import { alertAfterReconcile, type AlertOutcome } from "./alert.js";

export interface RunRequest {
  mode: RunMode;
  config: CroncdConfig;
  configFile: string;
  /** Only these targets (all when empty). */
  targets?: readonly string[];
  outDir?: string;
  env?: NodeJS.ProcessEnv;
  log: Logger;
  /** reconcile: redeploy stacks that drifted by hand (default true; --no-heal turns it off). */
  heal?: boolean;
}

export interface RunOutcome {
  exitCode: ExitCode;
  sources: SourceSummary[];
  entries: ChangeSetEntry[];
  /** reconcile with an `alerts:` block: the events of this run and where they went. */
  alerts?: AlertOutcome;
}

export async function run(request: RunRequest): Promise<RunOutcome> {
  const env = request.env ?? process.env;
  const targets = selectTargets(request.config, request.targets ?? []);
  const neededSources = request.config.sources.filter((source) =>
    targets.some((target) => target.source === source.name),
  );
  for (const source of neededSources) {
    if (source.auth?.tokenEnv) request.log.masker.add(env[source.auth.tokenEnv]);
  }
  for (const target of targets) {
    for (const name of target.secretEnv) request.log.masker.add(env[name]);
  }

  cleanUpAfterKilledRuns(request.log);
  const workspace = await createWorkspace();
  const early =
    request.mode === "plan" || request.mode === "reconcile" ? new EarlyLiveStates(targets) : undefined;
  // Only a reconcile changes targets; plan, validate and render never lock.
  const locks = request.mode === "reconcile" ? new RunLocks({ env, log: request.log }) : undefined;
  try {
    const pulled = await request.log.group("pull sources", async () => {
      const results = await pullSources(neededSources, workspace, {
        configDir: path.dirname(request.configFile),
        env,
      });
      for (const source of results) request.log.info(describePull(source));
      return results;
    });
    const failedSources = pulled.filter((source) => source.error).map((source) => source.name);
    const sourceOf = (name: string) => pulled.find((candidate) => candidate.name === name) as PulledSource;

    const rendered: RenderedTarget[] = [];
    for (const target of targets) {
      rendered.push(
        await request.log.group(`render target ${target.name}`, async () => {
          const result = await renderTarget(target, sourceOf(target.source), env, request.log, early);
          if (request.mode === "render" && request.outDir && result.rendered && result.target) {
            // One folder per target and item: the files croncd would deploy, masked.
            for (const item of result.rendered.items) {
              const dir = path.join(request.outDir, target.name, item.name);
              await result.target.writeRendered(item, dir, request.log.masker);
            }
          }
          return result;
        }),
      );
    }

    const entries: ChangeSetEntry[] = [];
    const report = (items: ChangeSetEntry[]) => {
      for (const entry of items) {
        request.log.info(formatEntry(entry, request.mode));
        for (const line of entry.details ?? []) request.log.info(`    ${line}`);
      }
      entries.push(...items);
    };
    const mode = request.mode;
    if (mode === "validate" || mode === "render") {
      for (const target of rendered) report(offlineEntries(target, mode));
    } else {
      const incompleteBecause = incompleteness(rendered, failedSources);
      for (const target of rendered) {
        await request.log.group(`target ${target.config.name} (${mode})`, async () => {
          const delivered = await deliverTarget(target, {
            mode,
            heal: request.heal ?? true,
            ...(incompleteBecause ? { incompleteBecause } : {}),
            ...(early ? { onTargetChanged: () => early.markChanged() } : {}),
            ...(locks
              ? {
                  holdLock: async () => {
                    const taken = await locks.hold(target.config);
                    // What was read before the lock may be stale: plan from a fresh read.
                    if (taken) early?.markChanged();
                    return taken;
                  },
                }
              : {}),
          });
          if (mode === "plan") {
            const deletions = delivered.filter(
              (entry) => entry.kind === target.target?.itemKind && entry.action === "deleted",
            );
            early?.assumeDeleted(
              target.config,
              deletions.map((entry) => entry.name),
            );
          }
          report(delivered);
        });
      }
    }
    // Only a reconcile changes what runs, so only a reconcile has changes of state to tell.
    const alerts =
      mode === "reconcile" && request.config.alerts
        ? await request.log.group("alerts", () =>
            alertAfterReconcile({
              alerts: request.config.alerts as NonNullable<CroncdConfig["alerts"]>,
              targets,
              entries,
              sources: pulled,
              env,
              log: request.log,
              now: new Date(),
            }),
          )
        : undefined;
    return {
      exitCode: exitCodeFor(request.mode, entries),
      sources: pulled.map(summarizeSource),
      entries,
      ...(alerts ? { alerts } : {}),
    };
  } finally {
    early?.dispose();
    await locks?.releaseAll();
    await workspace.dispose();
  }
}

export function exitCodeFor(mode: RunMode, entries: ChangeSetEntry[]): ExitCode {
  if (hasRealFailures({ entries })) return ExitCode.failed;
  // Waiting may fix it: said apart from failures, so CI can tell a maintenance window from a bug.
  if (hasUnavailable({ entries })) return ExitCode.unavailable;
  if (mode === "plan" && hasChanges({ entries })) return ExitCode.changes;
  // Drift raises the alarm even when healed: someone changes production outside git.
  if (mode === "reconcile" && hasDrift({ entries })) return ExitCode.changes;
  return ExitCode.ok;
}

function selectTargets(config: CroncdConfig, names: readonly string[]) {
  if (names.length === 0) return config.targets;
  const known = config.targets.map((target) => target.name);
  const unknown = names.filter((name) => !known.includes(name));
  if (unknown.length > 0) {
    throw new ConfigError(
      `no target named ${unknown.map((n) => `"${n}"`).join(", ")}; known: ${known.join(", ")}`,
      {
        subject: "--target",
      },
    );
  }
  return config.targets.filter((target) => names.includes(target.name));
}

function describePull(source: PulledSource): string {
  const seconds = (source.durationMs / 1000).toFixed(1);
  if (source.error) return `${describeError(source.error)} (after ${seconds}s)`;
  return `source ${source.name}: ${source.ref} at ${source.commit?.slice(0, 12)} (${seconds}s)`;
}

function summarizeSource(source: PulledSource): SourceSummary {
  return {
    name: source.name,
    url: source.url,
    ref: source.ref,
    durationMs: source.durationMs,
    ...(source.commit ? { commit: source.commit } : {}),
    ...(source.error ? { error: describeError(source.error) } : {}),
  };
}

/** validate and render stop after rendering: each item is reported valid (skipped) or failed. */
function offlineEntries(rendered: RenderedTarget, mode: "validate" | "render"): ChangeSetEntry[] {
  const { target } = rendered;
  if (rendered.failure || !rendered.rendered || !target) return rendered.failure ? [rendered.failure] : [];
  const valid = rendered.rendered.items.map((item) => {
    const file = target.declaredIn(item);
    const subject = { kind: target.itemKind, name: item.name, target: rendered.config.name };
    return changeEntry(subject, "skipped", mode === "render" ? `rendered ${file}` : `valid: ${file}`);
  });
  return [...rendered.rendered.failures, ...valid];
}
