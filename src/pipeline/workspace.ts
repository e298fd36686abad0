/**
 * A private temporary workspace (mode 0700) for clones and rendered files. It is removed on every
 * way out: normal return, a thrown error, and SIGTERM/SIGINT from a cancelled CI job — rendered
 * files may hold decrypted values, and runners are shared machines. A run killed outright
 * (SIGKILL) leaves it behind; the next run removes it (workspace-owner.ts).
 */
import { mkdtemp, rm, chmod } from "node:fs/promises";
import { rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { killAllGroups } from "../ports/process-groups.js";
import {
  removeStaleWorkspaces,
  WORKSPACE_PREFIX,
  writeOwnerFile,
  type StaleWorkspace,
} from "./workspace-owner.js";

export interface Workspace {
  root: string;
  /** A fresh subfolder of the workspace (created by the caller). */
  pathFor(...segments: string[]): string;
  dispose(): Promise<void>;
}

const live = new Set<string>();
let signalHandlersInstalled = false;

export async function createWorkspace(prefix = WORKSPACE_PREFIX): Promise<Workspace> {
  const root = await mkdtemp(path.join(os.tmpdir(), prefix));
  await chmod(root, 0o700);
  live.add(root);
  installSignalHandlers();
  writeOwnerFile(root);
  return {
    root,
    pathFor: (...segments) => path.join(root, ...segments),
    dispose: async () => {
      live.delete(root);
      await rm(root, { recursive: true, force: true });
    },
  };
}

function installSignalHandlers(): void {
  if (signalHandlersInstalled) return;
  signalHandlersInstalled = true;
  const cleanupAndExit = (signal: NodeJS.Signals, code: number) => {
    process.stderr.write(`croncd: received ${signal}, stopping its programs and removing temporary files\n`);
    // The children lead their own process groups, so the signal did not reach them: a CI job's
    // SIGTERM must not leave a `docker stack deploy` or a `git fetch` running after croncd.
    killAllGroups("SIGKILL");
    removeAllNow();
    process.exit(code);
  };
  process.once("SIGTERM", () => cleanupAndExit("SIGTERM", 143));
  process.once("SIGINT", () => cleanupAndExit("SIGINT", 130));
  process.once("exit", removeAllNow);
}

/** Synchronous on purpose: it runs inside signal and exit handlers, where awaiting is not possible. */
function removeAllNow(): void {
  for (const root of live) {
    rmSync(root, { recursive: true, force: true });
    live.delete(root);
  }
}

/** The workspaces of croncd runs that were killed outright (their owner process is gone), removed. */
export function removeKilledRunsWorkspaces(): StaleWorkspace[] {
  return removeStaleWorkspaces(os.tmpdir());
}
