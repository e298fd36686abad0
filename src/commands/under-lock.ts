/**
 * The manual one-item verbs (prune, suspend, resume) change the target: each waits for the
 * target's lock (src/lock/), as a reconcile does, so it never acts in the middle of a run.
 */
import type { TargetConfig } from "../config/schema.js";
import { describeError } from "../errors.js";
import { changeEntry, type ChangeSetEntry, type ItemKind } from "../model/changeset.js";
import { RunLocks } from "../pipeline/run-locks.js";
import type { Logger } from "../report/logger.js";

export interface LockedItemRequest {
  kind: ItemKind;
  name: string;
  log: Logger;
  /** Names the lock's holder (CI_JOB_URL...); reaches the target's tools. */
  env?: NodeJS.ProcessEnv;
}

/** `notDone` says what did not happen when the lock could not be had: "not pruned". */
export async function underLock(
  target: TargetConfig,
  request: LockedItemRequest,
  notDone: string,
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
      `${request.kind} ${request.name} ${notDone}: ${describeError(error)}`,
    );
  }
  try {
    return await work();
  } finally {
    await locks.releaseAll();
  }
}
