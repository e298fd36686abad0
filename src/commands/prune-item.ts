/**
 * The manual "prune" trigger: removes one item croncd owns on a target (`--stack NAME`,
 * `--release NAME`), and refuses anything else. The target type does the work (registry.ts);
 * this command only picks the target and reports.
 */
import type { CroncdConfig } from "../config/schema.js";
import { ExitCode } from "../errors.js";
import type { ChangeSetEntry, ItemKind } from "../model/changeset.js";
import type { Logger } from "../report/logger.js";
import { formatEntry } from "../report/text.js";
import { chooseItemTarget } from "./choose-target.js";
import { underLock } from "./under-lock.js";

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
  const { target, verb: prune } = chooseItemTarget(
    request.config,
    { ...request, command: "prune" },
    (type) => type.pruneOne,
  );
  const removeOne = () =>
    prune(target, {
      name: request.name,
      dryRun: request.dryRun,
      ...(request.namespace ? { namespace: request.namespace } : {}),
    });
  // A dry run changes nothing and takes no lock; a removal waits for any run changing the target.
  const entry = request.dryRun
    ? await removeOne()
    : await underLock(target, request, "not pruned", removeOne);
  request.log.info(formatEntry(entry, "reconcile"));
  return { exitCode: entry.action === "failed" ? ExitCode.failed : ExitCode.ok, entries: [entry] };
}
