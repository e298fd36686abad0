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
import os from "node:os";
import path from "node:path";

export const OWNER_FILE = ".croncd-owner.json";
export const WORKSPACE_PREFIX = "croncd-";

interface Owner {
  croncdWorkspace: 1;
  pid: number;
  /**
   * Containers sharing a temp folder do not share pids: a workspace made under another host name
   * (another container) is never judged from here.
   */
  host: string;
  /** The process's start time in clock ticks since boot (Linux); null where /proc does not tell. */
  startTime: number | null;
}

export function writeOwnerFile(root: string): void {
  const owner: Owner = {
    croncdWorkspace: 1,
    pid: process.pid,
    host: os.hostname(),
    startTime: startTimeOf(process.pid),
  };
  writeFileSync(path.join(root, OWNER_FILE), JSON.stringify(owner), { mode: 0o600, flag: "wx" });
}

export interface StaleWorkspace {
  dir: string;
  pid: number;
}

/** Removes the workspaces in `parent` whose owner process has ended; returns what it removed. */
export function removeStaleWorkspaces(parent: string): StaleWorkspace[] {
  const removed: StaleWorkspace[] = [];
  let names: string[];
  try {
    names = readdirSync(parent).filter((name) => name.startsWith(WORKSPACE_PREFIX));
  } catch {
    return removed;
  }
  for (const name of names) {
    const dir = path.join(parent, name);
    const owner = ownerOf(dir);
    if (!owner || isAlive(owner)) continue;
    try {
      rmSync(dir, { recursive: true, force: true });
      removed.push({ dir, pid: owner.pid });
    } catch {
      // Someone else's to worry about (a permission change): the next run tries again.
    }
  }
  return removed;
}

/** The owner of a folder croncd provably made, or undefined for anything else. */
function ownerOf(dir: string): Owner | undefined {
  try {
    const folder = lstatSync(dir);
    const ownFolder =
      folder.isDirectory() && (process.getuid === undefined || folder.uid === process.getuid());
    if (!ownFolder) return undefined;
    const file = path.join(dir, OWNER_FILE);
    if (!lstatSync(file).isFile()) return undefined;
    const owner = JSON.parse(readFileSync(file, "utf8")) as Partial<Owner>;
    if (owner.croncdWorkspace !== 1 || !Number.isInteger(owner.pid) || owner.host !== os.hostname()) {
      return undefined;
    }
    return {
      croncdWorkspace: 1,
      pid: owner.pid as number,
      host: owner.host,
      startTime: owner.startTime ?? null,
    };
  } catch {
    return undefined;
  }
}

function isAlive(owner: Owner): boolean {
  if (owner.pid === process.pid) return true;
  try {
    process.kill(owner.pid, 0);
  } catch {
    // ESRCH: no such process. EPERM: another user's process has the pid now, so not our run.
    return false;
  }
  // The pid is taken; by the same process only if it started at the same moment.
  const startTime = startTimeOf(owner.pid);
  return owner.startTime === null || startTime === null || startTime === owner.startTime;
}

/** Field 22 of /proc/PID/stat; null without /proc (macOS), where the pid alone has to do. */
function startTimeOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) is in parentheses and may hold spaces: count after it.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const value = Number(fields[19]);
    return Number.isFinite(value) ? value : null;
  } catch {
    return null;
  }
}
