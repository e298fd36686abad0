// Removing every trace of a private daemon once dockerd itself is gone (stopped, killed, or crashed
// with its test run): processes, mounts, cgroups, gateway bridge and finally its directory.
import { readFile, readdir, rm } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { execa } from "execa";
import { killCgroupProcesses, removeCgroups } from "./cgroups.js";
import { cgroupParentName, gatewayBridgeName, suffixOf } from "./layout.js";
import { exists, signalProcess, withSystemBinDirs } from "./system.js";

/**
 * Kills processes that still reference the directory (containerd, shims) and the containers in our
 * cgroup parent, unmounts what is mounted below the directory (network namespaces, the data root),
 * and deletes our cgroups, gateway bridge and directory.
 */
export async function removeDaemonLeftovers(dir: string, log: (line: string) => void): Promise<void> {
  const suffix = suffixOf(dir);
  for (const pid of await processesReferencing(dir)) signalProcess(pid, "SIGKILL");
  await killCgroupProcesses(cgroupParentName(suffix));
  await unmountBelow(dir);
  await removeCgroups(cgroupParentName(suffix));
  await deleteLink(gatewayBridgeName(suffix), log);
  // Retried: unmounting lazily or a process exiting may take a moment to release the files.
  for (let attempt = 1; ; attempt++) {
    try {
      await rm(dir, { recursive: true, force: true });
      return;
    } catch (error) {
      if (attempt >= 5) throw error;
      await unmountBelow(dir);
      await sleep(200 * attempt);
    }
  }
}

/** True if the process's command line names `dir` (or something below it); false if it is gone. */
export async function processReferences(pid: number, dir: string): Promise<boolean> {
  try {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, "utf8");
    return cmdline.split("\0").some((arg) => arg === dir || arg.includes(`${dir}/`));
  } catch {
    return false;
  }
}

async function processesReferencing(dir: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir("/proc").catch(() => [] as string[])) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid !== process.pid && (await processReferences(pid, dir))) pids.push(pid);
  }
  return pids;
}

async function unmountBelow(dir: string): Promise<void> {
  let mountinfo: string;
  try {
    mountinfo = await readFile("/proc/self/mountinfo", "utf8");
  } catch {
    return;
  }
  const mountPoints = mountinfo
    .split("\n")
    .map((line) => line.split(" ")[4])
    .filter((point): point is string => point !== undefined)
    // mountinfo escapes space, tab, newline and backslash as octal.
    .map((point) =>
      point.replace(/\\([0-7]{3})/g, (_m, octal: string) => String.fromCharCode(parseInt(octal, 8))),
    )
    .filter((point) => point === dir || point.startsWith(`${dir}/`))
    // Deepest first, so nested mounts go before their parents.
    .sort((a, b) => b.length - a.length);
  for (const point of new Set(mountPoints)) {
    const result = await execa("umount", [point], { reject: false });
    if (result.exitCode !== 0) await execa("umount", ["-l", point], { reject: false });
  }
}

/** Deletes a network interface (our gateway bridge), which outlives dockerd in the host's namespace. */
export async function deleteLink(name: string, log: (line: string) => void): Promise<void> {
  if (!(await exists(`/sys/class/net/${name}`))) return;
  const result = await execa("ip", ["link", "delete", name], {
    reject: false,
    env: { PATH: withSystemBinDirs(process.env.PATH) },
  });
  if (result.exitCode !== 0) {
    log(
      `could not delete network interface ${name} (is iproute2 installed?): ${result.stderr || result.message}`,
    );
  }
}
