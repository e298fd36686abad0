/**
 * What croncd runs killed outright (SIGKILL, the OOM killer) left on this machine: their
 * workspaces (checkouts, rendered files) and their children, still running. A run's workspace is
 * how a later run knows it was killed (its owner is gone): every run clears both for each such
 * workspace in its temp folder before it starts.
 */
import { stopOrphanedChildren } from "../ports/orphaned-children.js";
import type { Logger } from "../report/logger.js";
import { findKilledRunsWorkspaces } from "./workspace.js";
import { removeStaleWorkspace } from "./workspace-owner.js";

export function cleanUpAfterKilledRuns(log: Logger): void {
  const stale = findKilledRunsWorkspaces();
  // Children first: they may still be writing into the workspaces.
  for (const child of stopOrphanedChildren(stale.map((workspace) => workspace.owner))) {
    log.info(
      `stopped "${child.command}" (pid ${child.pid}), left running by croncd process ${child.parentPid}, which was killed`,
    );
  }
  for (const workspace of stale) {
    if (removeStaleWorkspace(workspace)) {
      log.info(
        `removed ${workspace.dir}, left behind by croncd process ${workspace.owner.pid}, which was killed`,
      );
    }
  }
}
