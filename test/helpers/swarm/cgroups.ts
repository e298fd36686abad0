// The cgroup parent a private dockerd puts its containers in (--cgroup-parent). Killing what is in it
// catches containers whose shims outlived the daemon; removing it leaves no empty cgroups behind.
import { readFile, readdir, rmdir } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { exists, signalProcess } from "./system.js";

/**
 * Directories below which dockerd may have created its cgroup parent: the root of every cgroup
 * hierarchy, and our own cgroup in each (where a namespaced or delegated hierarchy puts it).
 */
export async function cgroupBases(): Promise<string[]> {
  const mounts = await readFile("/proc/self/mounts", "utf8").catch(() => "");
  const mountPoints = mounts
    .split("\n")
    .map((line) => line.split(" "))
    .filter((fields) => fields[2] === "cgroup" || fields[2] === "cgroup2")
    .map((fields) => fields[1])
    .filter((point): point is string => point !== undefined);
  // Lines look like "4:memory:/some/path"; the path may itself contain colons.
  const ownPaths = (await readFile("/proc/self/cgroup", "utf8").catch(() => ""))
    .split("\n")
    .map((line) => line.split(":").slice(2).join(":"))
    .filter((path) => path.startsWith("/") && path !== "/");
  const bases = new Set<string>();
  for (const mount of mountPoints) {
    bases.add(mount);
    for (const path of ownPaths) if (await exists(join(mount, path))) bases.add(join(mount, path));
  }
  return [...bases];
}

/** All directories (children before parents) of the cgroups named `name` in every hierarchy. */
async function cgroupDirs(name: string): Promise<string[]> {
  const result: string[] = [];
  const walk = async (path: string): Promise<void> => {
    const entries = await readdir(path, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) if (entry.isDirectory()) await walk(join(path, entry.name));
    result.push(path);
  };
  for (const base of await cgroupBases()) {
    const top = join(base, name);
    if (await exists(top)) await walk(top);
  }
  return result;
}

export async function killCgroupProcesses(name: string): Promise<void> {
  const pids = new Set<number>();
  for (const dir of await cgroupDirs(name)) {
    const procs = await readFile(join(dir, "cgroup.procs"), "utf8").catch(() => "");
    for (const line of procs.split("\n")) if (/^\d+$/.test(line)) pids.add(Number(line));
  }
  for (const pid of pids) signalProcess(pid, "SIGKILL");
  if (pids.size > 0) await sleep(200);
}

/** rmdir only succeeds on empty cgroups, so nothing still in use is touched. */
export async function removeCgroups(name: string): Promise<void> {
  for (const dir of await cgroupDirs(name)) {
    await rmdir(dir).catch(() => undefined);
  }
}
