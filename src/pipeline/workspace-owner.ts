/**
 * Who owns a workspace: a small file in its root naming the croncd process (pid and start time)
 * that created it. A run that was killed outright (SIGKILL, the OOM killer) cannot clean up after
 * itself; the next run on the machine finds its workspace, sees that the owner is gone, and
 * removes it, so nothing a killed run held (checkouts, rendered files) stays around.
 *
 * Only folders that are provably croncd's are ever removed: named croncd-*, owned by this user,
 * holding an owner file croncd wrote, whose process is gone (the pid alone is not enough: pids are
 * reused, so the start time must match too).
 */
import { lstatSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { currentProcess, isAlive, isLocal, type ProcessIdentity } from "../util/process-identity.js";

export const OWNER_FILE = ".croncd-owner.json";
export const WORKSPACE_PREFIX = "croncd-";

/**
 * The owner file's content. A workspace made on another host (another container sharing the temp
 * folder) is never judged from here: its pids are not ours to look up.
 */
interface Owner extends ProcessIdentity {
  croncdWorkspace: 1;
}

export function writeOwnerFile(root: string): void {
  const owner: Owner = { croncdWorkspace: 1, ...currentProcess() };
  writeFileSync(path.join(root, OWNER_FILE), JSON.stringify(owner), { mode: 0o600, flag: "wx" });
}

export interface StaleWorkspace {
  dir: string;
  /** The croncd run that made it, and is gone. */
  owner: ProcessIdentity;
}

/** The workspaces in `parent` whose owner process has ended. */
export function findStaleWorkspaces(parent: string): StaleWorkspace[] {
  let names: string[];
  try {
    names = readdirSync(parent).filter((name) => name.startsWith(WORKSPACE_PREFIX));
  } catch {
    return [];
  }
  return names.flatMap((name) => {
    const dir = path.join(parent, name);
    const owner = ownerOf(dir);
    return owner && !isAlive(owner) ? [{ dir, owner }] : [];
  });
}

/** Removes a stale workspace; false when it could not be (the next run tries again). */
export function removeStaleWorkspace(workspace: StaleWorkspace): boolean {
  try {
    rmSync(workspace.dir, { recursive: true, force: true });
    return true;
  } catch {
    return false;
  }
}

/** The owner of a folder croncd provably made, or undefined for anything else. */
function ownerOf(dir: string): ProcessIdentity | undefined {
  try {
    const folder = lstatSync(dir);
    const ownFolder =
      folder.isDirectory() && (process.getuid === undefined || folder.uid === process.getuid());
    if (!ownFolder) return undefined;
    const file = path.join(dir, OWNER_FILE);
    if (!lstatSync(file).isFile()) return undefined;
    const owner = JSON.parse(readFileSync(file, "utf8")) as Partial<Owner>;
    if (owner.croncdWorkspace !== 1 || !Number.isInteger(owner.pid) || typeof owner.host !== "string") {
      return undefined;
    }
    const identity = { pid: owner.pid as number, host: owner.host, startTime: owner.startTime ?? null };
    return isLocal(identity) ? identity : undefined;
  } catch {
    return undefined;
  }
}
