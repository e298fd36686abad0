/**
 * The manual "prune" trigger: removes one item croncd owns on a target (`--stack NAME`,
 * `--release NAME`), and refuses anything else. The target type does the work (registry.ts);
 * this command only picks the target and reports.
 */
import type { CroncdConfig, TargetConfig } from "../config/schema.js";
import { ConfigError, describeError, ExitCode } from "../errors.js";
import { changeEntry, type ChangeSetEntry, type ItemKind } from "../model/changeset.js";
import { RunLocks } from "../pipeline/run-locks.js";
import type { Logger } from "../report/logger.js";
import { formatEntry } from "../report/text.js";
import { targetTypeOf } from "../targets/registry.js";

export interface PruneItemRequest {
  config: CroncdConfig;
  /** Which kind of item the person named (`--stack` or `--release`). */
  kind: ItemKind;
  name: string;
  namespace?: string;
  target?: string;
  dryRun: boolean;
  log: Logger;
  /** Names the lock's holder (CI_JOB_URL...); reaches the target's tools. */
  env?: NodeJS.ProcessEnv;
}

export async function pruneItem(
  request: PruneItemRequest,
): Promise<{ exitCode: ExitCode; entries: ChangeSetEntry[] }> {
  const target = chooseTarget(request.config, request.target);
  const type = targetTypeOf(target);
  if (type.itemKind !== request.kind || !type.pruneOne) {
    throw new ConfigError(
      `target ${target.name} (type ${target.type}) deploys ${type.itemKind}s, not ${request.kind}s; use --${type.itemKind} NAME`,
      { subject: "prune" },
    );
  }
  const prune = type.pruneOne;
  const removeOne = () =>
    prune(target, {
      name: request.name,
      dryRun: request.dryRun,
      ...(request.namespace ? { namespace: request.namespace } : {}),
    });
  // A dry run changes nothing and takes no lock; a removal waits for any run changing the target.
  const entry = request.dryRun ? await removeOne() : await underLock(target, request, removeOne);
  request.log.info(formatEntry(entry, "reconcile"));
  return { exitCode: entry.action === "failed" ? ExitCode.failed : ExitCode.ok, entries: [entry] };
}

async function underLock(
  target: TargetConfig,
  request: PruneItemRequest,
  work: () => Promise<ChangeSetEntry>,
): Promise<ChangeSetEntry> {
  const locks = new RunLocks({ env: request.env ?? process.env, log: request.log });
  try {
    await locks.hold(target);
  } catch (error) {
    const subject = { kind: "target", name: target.name, target: target.name } as const;
    await locks.releaseAll();
    return changeEntry(
      subject,
      "failed",
      `${request.kind} ${request.name} not pruned: ${describeError(error)}`,
    );
  }
  try {
    return await work();
  } finally {
    await locks.releaseAll();
  }
}

function chooseTarget(config: CroncdConfig, name: string | undefined): TargetConfig {
  if (name) {
    const found = config.targets.find((target) => target.name === name);
    if (!found) {
      throw new ConfigError(
        `no target named "${name}"; known: ${config.targets.map((t) => t.name).join(", ")}`,
        {
          subject: "--target",
        },
      );
    }
    return found;
  }
  const [only, ...others] = config.targets;
  if (!only || others.length > 0) {
    throw new ConfigError("several targets are configured; say which one with --target NAME", {
      subject: "prune",
    });
  }
  return only;
}
