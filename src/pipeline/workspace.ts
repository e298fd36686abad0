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
import { exitOnSignals } from "../util/exit-on-signal.js";
import {
  findStaleWorkspaces,
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
let exitHookInstalled = false;

export async function createWorkspace(prefix = WORKSPACE_PREFIX): Promise<Workspace> {
  const root = await mkdtemp(path.join(os.tmpdir(), prefix));
  await chmod(root, 0o700);
  live.add(root);
  installExitHook();
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

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  exitOnSignals();
  process.once("exit", removeAllNow);
}

/** Synchronous on purpose: it runs in an exit listener, where awaiting is not possible. */
function removeAllNow(): void {
  // First the children: a git or sops still writing into a workspace would race its removal.
  if (live.size > 0) killAllGroups("SIGKILL");
  for (const root of live) {
    rmSync(root, { recursive: true, force: true, maxRetries: 3 });
    live.delete(root);
  }
}

/** The workspaces of croncd runs that were killed outright (their owner process is gone). */
export function findKilledRunsWorkspaces(): StaleWorkspace[] {
  return findStaleWorkspaces(os.tmpdir());
}
