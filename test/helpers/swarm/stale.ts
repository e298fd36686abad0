// Cleaning up after daemons whose owner is gone: test runs that crashed or were killed before their
// teardown, and kept example Swarms being stopped from another process.
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { cgroupBases, removeCgroups } from "./cgroups.js";
import {
  CGROUP_PARENT_PATTERN,
  DAEMON_DIR_PARENT,
  DAEMON_DIR_PATTERN,
  DAEMON_DIR_PREFIX,
  DAEMON_STOP_TIMEOUT_MS,
  GATEWAY_BRIDGE_PATTERN,
  daemonPaths,
} from "./layout.js";
import { deleteLink, processReferences, removeDaemonLeftovers } from "./leftovers.js";
import { errorText, exists, isAlive, readPid, signalProcess } from "./system.js";

/**
 * Reaps daemon directories of earlier runs that died without their teardown. A directory counts as
 * stale only if it matches our own prefix and the process that created it (owner.pid) is dead;
 * a concurrent run's daemon is left alone.
 */
export async function reapStaleDaemons(log: (line: string) => void): Promise<void> {
  let entries: string[];
  try {
    entries = await readdir(DAEMON_DIR_PARENT);
  } catch {
    return;
  }
  for (const entry of entries) {
    if (!DAEMON_DIR_PATTERN.test(entry)) continue;
    const dir = join(DAEMON_DIR_PARENT, entry);
    const owner = await readPid(daemonPaths(dir).ownerPid);
    if (owner === undefined) {
      // Maybe a concurrent run between mkdtemp and writing owner.pid: only reap once it is old.
      const info = await stat(dir).catch(() => undefined);
      if (!info || Date.now() - info.mtimeMs < 5 * 60_000) continue;
    } else if (isAlive(owner)) {
      continue;
    }
    log(`removing stale private daemon directory ${dir} (the run that started it is gone)`);
    try {
      await stopDaemonInDir(dir, log);
    } catch (error) {
      log(`could not fully remove ${dir}: ${errorText(error)}`);
    }
  }
  await removeOrphanedCgroupsAndBridges(log);
}

/**
 * Stops the dockerd of a daemon directory that this process did not start (SIGTERM, waiting up to
 * DAEMON_STOP_TIMEOUT_MS; the leftover sweep kills it if it is still there) and removes its leftovers.
 * The pid file is trusted only if that process's command line names the directory, so a reused pid
 * is never signalled.
 */
export async function stopDaemonInDir(dir: string, log: (line: string) => void): Promise<void> {
  const daemonPid = await readPid(daemonPaths(dir).dockerPid);
  if (daemonPid !== undefined && (await processReferences(daemonPid, dir))) {
    signalProcess(daemonPid, "SIGTERM");
    const deadline = Date.now() + DAEMON_STOP_TIMEOUT_MS;
    while (isAlive(daemonPid) && Date.now() < deadline) await sleep(100);
  }
  await removeDaemonLeftovers(dir, log);
}

/**
 * Our cgroups and gateway bridges whose daemon directory no longer exists (e.g. removed by hand after
 * a crash). rmdir only succeeds on empty cgroups, so nothing in use is touched.
 */
async function removeOrphanedCgroupsAndBridges(log: (line: string) => void): Promise<void> {
  const hasDir = (suffix: string): Promise<boolean> =>
    exists(join(DAEMON_DIR_PARENT, `${DAEMON_DIR_PREFIX}${suffix}`));
  for (const base of await cgroupBases()) {
    for (const entry of await readdir(base).catch(() => [] as string[])) {
      const match = CGROUP_PARENT_PATTERN.exec(entry);
      if (match?.[1] && !(await hasDir(match[1]))) await removeCgroups(entry);
    }
  }
  for (const link of await readdir("/sys/class/net").catch(() => [] as string[])) {
    const match = GATEWAY_BRIDGE_PATTERN.exec(link);
    if (match?.[1] && !(await hasDir(match[1]))) await deleteLink(link, log);
  }
}
