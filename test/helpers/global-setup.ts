// Vitest global setup: gives the whole test run one private Docker Swarm.
//
// Unless CRONCD_TEST_DOCKER_HOST names a daemon explicitly, we start our own dockerd in a fresh
// directory under /tmp, make it a single-node Swarm manager, build the small test images locally
// (no registry is reachable) and tear all of it down again at the end. Tests must never touch a
// Docker daemon they did not start, so DOCKER_HOST is overridden for the workers as well.
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { createSocket } from "node:dgram";
import { constants as fsConstants } from "node:fs";
import {
  access,
  chmod,
  mkdir,
  mkdtemp,
  open,
  readFile,
  readdir,
  rm,
  rmdir,
  stat,
  symlink,
  writeFile,
} from "node:fs/promises";
import { createServer } from "node:net";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { execa } from "execa";
import type { TestProject } from "vitest/node";

/** Image every test stack can run: busybox applets, `sleep 3600` by default, stops with SIGKILL. */
export const TEST_IMAGE = "croncd-test/busybox:1";
/** Same rootfs plus `/VERSION` (containing `2`), so tests can change a service's image. */
export const TEST_IMAGE_V2 = "croncd-test/busybox:2";
/**
 * Stack names created by tests should start with this (see `uniqueStackName` in docker.ts); against a
 * daemon named by CRONCD_TEST_DOCKER_HOST the teardown removes only stacks with this prefix.
 */
export const TEST_STACK_PREFIX = "croncdt-";

// Short on purpose: unix socket paths are limited to ~107 bytes, so no os.tmpdir() (TMPDIR may be long).
const DAEMON_DIR_PARENT = "/tmp";
const DAEMON_DIR_PREFIX = "croncd-d-";
const DAEMON_DIR_PATTERN = /^croncd-d-[A-Za-z0-9]{6}$/;
// Preferred Swarm ports; another concurrent run may hold them, then free ones are picked.
const SWARM_PORT = 2378;
const DATA_PATH_PORT = 4799;
const DAEMON_READY_TIMEOUT_MS = 60_000;
const DAEMON_STOP_TIMEOUT_MS = 20_000;
const DOCKER_CALL_TIMEOUT_MS = 60_000;
// Extra places for dockerd and its helpers (containerd, runc, docker-init): a non-login root shell may
// lack the sbin directories on PATH.
const SYSTEM_BIN_DIRS = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"];

interface PrivateDaemon {
  dir: string;
  /** Random part of the directory name; names the cgroup parent, gateway bridge and containerd namespace. */
  suffix: string;
  host: string;
  child: ChildProcess;
  exited: Promise<void>;
}

const log = (message: string): void => console.log(`[croncd-test] ${message}`);

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const savedEnv = saveDockerEnv();
  const explicitHost = process.env.CRONCD_TEST_DOCKER_HOST;
  if (explicitHost) {
    return setupExplicitDaemon(project, explicitHost, savedEnv);
  }

  if (typeof process.getuid === "function" && process.getuid() !== 0) {
    throw new Error(
      "The integration tests start a private dockerd, which needs root. Run them as root, or set " +
        "CRONCD_TEST_DOCKER_HOST to a Swarm manager you want the tests to use.",
    );
  }
  const dockerd = await findExecutable("dockerd");
  const dockerCli = await findExecutable("docker");
  if (!dockerd || !dockerCli) {
    throw new Error(
      `${dockerd ? "docker (the CLI)" : "dockerd"} not found on PATH nor in ${SYSTEM_BIN_DIRS.join(", ")}. ` +
        "The integration tests start their own Docker daemon: install Debian's docker.io package " +
        "(apt-get install --no-install-recommends docker.io), or set CRONCD_TEST_DOCKER_HOST to a Swarm " +
        "manager you want the tests to use.",
    );
  }

  await reapStaleDaemons();

  const startedAt = performance.now();
  const daemon = await startDaemon(dockerd).catch((error: unknown) => {
    restoreDockerEnv(savedEnv);
    throw error;
  });
  // The exit hook covers a vitest that exits without running the teardown; SIGTERM lets dockerd
  // unmount and stop its containers itself, and the next run reaps whatever is left.
  const onExit = (): void => {
    if (daemon.child.exitCode === null && daemon.child.pid !== undefined) {
      try {
        process.kill(daemon.child.pid, "SIGTERM");
      } catch {
        // already gone
      }
    }
  };
  process.on("exit", onExit);
  try {
    // Independent of each other; together they are most of the startup time. Both settle before any
    // cleanup, so nothing still talks to the daemon while it is being stopped.
    const results = await Promise.allSettled([initSwarm(daemon), buildTestImages(daemon.dir)]);
    for (const result of results) if (result.status === "rejected") throw result.reason;
  } catch (error) {
    // Vitest does not call the teardown when setup throws.
    process.off("exit", onExit);
    await stopDaemon(daemon).catch((cleanupError: unknown) =>
      log(`cleanup failed: ${errorText(cleanupError)}`),
    );
    restoreDockerEnv(savedEnv);
    throw error;
  }
  log(`private dockerd + swarm + test images ready in ${seconds(startedAt)} s (${daemon.dir})`);

  project.provide("dockerHost", daemon.host);
  project.provide("dockerHostIsPrivate", true);

  return async () => {
    const teardownStartedAt = performance.now();
    try {
      await removeStacks(() => true);
    } catch (error) {
      log(`teardown: removing stacks failed (continuing): ${errorText(error)}`);
    }
    try {
      await execa("docker", ["swarm", "leave", "--force"], { timeout: DOCKER_CALL_TIMEOUT_MS });
    } catch (error) {
      log(`teardown: leaving the swarm failed (continuing): ${errorText(error)}`);
    }
    await stopDaemon(daemon);
    process.off("exit", onExit);
    restoreDockerEnv(savedEnv);
    log(`private dockerd stopped and removed in ${seconds(teardownStartedAt)} s`);
  };
}

// ---------------------------------------------------------------------------------------------
// A daemon named explicitly by the person running the tests

async function setupExplicitDaemon(
  project: TestProject,
  host: string,
  savedEnv: SavedEnv,
): Promise<() => Promise<void>> {
  process.env.DOCKER_HOST = host;
  delete process.env.DOCKER_CONTEXT;
  const { stdout } = await execa("docker", ["info", "--format", "{{json .Swarm}}"], {
    timeout: DOCKER_CALL_TIMEOUT_MS,
  }).catch((error: unknown) => {
    throw new Error(`CRONCD_TEST_DOCKER_HOST=${host}: docker info failed: ${errorText(error)}`);
  });
  const swarm = JSON.parse(stdout) as { LocalNodeState?: string; ControlAvailable?: boolean };
  if (swarm.LocalNodeState !== "active" || swarm.ControlAvailable !== true) {
    // We do not run `swarm init` on somebody else's daemon.
    throw new Error(
      `CRONCD_TEST_DOCKER_HOST=${host} is not a Swarm manager (state ${swarm.LocalNodeState ?? "?"}); ` +
        "run `docker swarm init` there, or unset it to let the tests start a private daemon.",
    );
  }
  const workDir = await mkdtemp(join(DAEMON_DIR_PARENT, "croncd-img-"));
  try {
    await buildTestImages(workDir);
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
  log(`using CRONCD_TEST_DOCKER_HOST=${host}`);
  project.provide("dockerHost", host);
  project.provide("dockerHostIsPrivate", false);
  return async () => {
    // Not our daemon: remove only what the tests created, and leave the swarm alone.
    await removeStacks((name) => name.startsWith(TEST_STACK_PREFIX)).catch((error: unknown) => {
      log(`teardown: removing test stacks failed: ${errorText(error)}`);
    });
    restoreDockerEnv(savedEnv);
  };
}

// ---------------------------------------------------------------------------------------------
// Starting and stopping the private daemon

async function startDaemon(dockerd: string): Promise<PrivateDaemon> {
  const dir = await mkdtemp(join(DAEMON_DIR_PARENT, DAEMON_DIR_PREFIX));
  // Written first, so a concurrent run's stale-daemon sweep sees this directory as alive.
  await writeFile(join(dir, "owner.pid"), `${process.pid}\n`);
  const suffix = dir.slice(dir.lastIndexOf("-") + 1);
  const host = `unix://${dir}/docker.sock`;
  const dockerConfig = join(dir, "docker-config");
  await mkdir(dockerConfig);

  // The docker CLI (ours and the workers') must talk to this daemon only, whatever the person has in
  // their environment or ~/.docker (contexts, TLS settings).
  process.env.DOCKER_HOST = host;
  process.env.DOCKER_CONFIG = dockerConfig;
  delete process.env.DOCKER_CONTEXT;
  delete process.env.DOCKER_TLS_VERIFY;
  delete process.env.DOCKER_CERT_PATH;

  const args = [
    "--data-root",
    join(dir, "data"),
    "--exec-root",
    join(dir, "exec"),
    "-H",
    host,
    "--pidfile",
    join(dir, "docker.pid"),
    // No default bridge and no host firewall/sysctl changes: stacks only use overlay networks.
    "--bridge",
    "none",
    "--iptables=false",
    "--ip-forward=false",
    "--ip-masq=false",
    // Keep containers out of any other daemon's cgroup and containerd namespace (dockerd 20.10 uses a
    // system containerd when /run/containerd/containerd.sock exists), so cleanup can find exactly ours.
    "--cgroup-parent",
    `croncd-test-${suffix}`,
    "--containerd-namespace",
    `croncd-${suffix}`,
    "--containerd-plugins-namespace",
    `croncd-${suffix}-plugins`,
    "--shutdown-timeout",
    "3",
  ];
  const logFile = await open(join(dir, "dockerd.log"), "a");
  let child: ChildProcess;
  try {
    child = spawn(dockerd, args, {
      stdio: ["ignore", logFile.fd, logFile.fd],
      env: { ...process.env, PATH: withSystemBinDirs(process.env.PATH) },
    });
  } finally {
    // The child has its own copy of the descriptor.
    await logFile.close();
  }
  const exited = new Promise<void>((resolve) => {
    child.once("exit", () => resolve());
    child.once("error", () => resolve());
  });
  // The daemon must not keep vitest's event loop alive (the exit hook stops it if teardown is skipped).
  child.unref();
  const daemon: PrivateDaemon = { dir, suffix, host, child, exited };

  const deadline = Date.now() + DAEMON_READY_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      const tail = await logTail(dir);
      await stopDaemon(daemon).catch((cleanupError: unknown) =>
        log(`cleanup failed: ${errorText(cleanupError)}`),
      );
      throw new Error(
        `dockerd exited during startup (${child.exitCode ?? child.signalCode}). Log tail:\n${tail}`,
      );
    }
    const probe = await execa("docker", ["info", "--format", "{{.ID}}"], { reject: false, timeout: 5_000 });
    if (probe.exitCode === 0) break;
    if (Date.now() > deadline) {
      const tail = await logTail(dir);
      await stopDaemon(daemon).catch((cleanupError: unknown) =>
        log(`cleanup failed: ${errorText(cleanupError)}`),
      );
      throw new Error(
        `dockerd did not answer on ${host} within ${DAEMON_READY_TIMEOUT_MS / 1000} s ` +
          `(last error: ${probe.stderr.trim()}). Log tail:\n${tail}`,
      );
    }
    await sleep(100);
  }
  return daemon;
}

async function initSwarm(daemon: PrivateDaemon): Promise<void> {
  // Swarm would create docker_gwbridge with a fixed Linux bridge name in the host's network namespace,
  // shared with any other daemon and left behind after we stop. Pre-creating it with our own bridge name
  // keeps it apart and lets the teardown delete exactly that interface.
  await dockerCall([
    "network",
    "create",
    "--driver",
    "bridge",
    "--scope",
    "local",
    "--opt",
    `com.docker.network.bridge.name=${gatewayBridgeName(daemon.suffix)}`,
    "--opt",
    "com.docker.network.bridge.enable_icc=false",
    "--opt",
    "com.docker.network.bridge.enable_ip_masquerade=false",
    "docker_gwbridge",
  ]);
  const swarmPort = await pickTcpPort(SWARM_PORT);
  const dataPathPort = await pickUdpPort(DATA_PATH_PORT);
  await dockerCall([
    "swarm",
    "init",
    "--advertise-addr",
    `127.0.0.1:${swarmPort}`,
    "--listen-addr",
    `127.0.0.1:${swarmPort}`,
    "--data-path-port",
    String(dataPathPort),
  ]);
}

/** Stops the daemon (SIGTERM, then SIGKILL) and removes every trace of it: processes, mounts, cgroups, bridge, directory. */
async function stopDaemon(daemon: PrivateDaemon): Promise<void> {
  const { child } = daemon;
  if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
    // The child was unref'ed at start; without this, vitest could exit mid-teardown once nothing
    // else is pending, leaving the daemon's mounts and directory behind.
    child.ref();
    child.kill("SIGTERM");
    if (!(await settlesWithin(daemon.exited, DAEMON_STOP_TIMEOUT_MS))) {
      log(`dockerd did not stop within ${DAEMON_STOP_TIMEOUT_MS / 1000} s of SIGTERM; sending SIGKILL`);
      child.kill("SIGKILL");
      await settlesWithin(daemon.exited, 5_000);
    }
  }
  await removeDaemonLeftovers(daemon.dir);
}

/** Waits for `promise` at most `ms`; true if it settled in time. The timer is cleared either way. */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  const controller = new AbortController();
  try {
    return await Promise.race([
      promise.then(
        () => true,
        () => true,
      ),
      sleep(ms, false, { signal: controller.signal }),
    ]);
  } finally {
    controller.abort();
  }
}

// ---------------------------------------------------------------------------------------------
// Cleanup of this run's and crashed runs' daemons

/**
 * Reaps daemon directories of earlier runs that died without their teardown. A directory counts as
 * stale only if it matches our own prefix and the test process that created it (owner.pid) is dead;
 * a concurrent run's daemon is left alone.
 */
async function reapStaleDaemons(): Promise<void> {
  let entries: string[];
  try {
    entries = await readdir(DAEMON_DIR_PARENT);
  } catch {
    return;
  }
  for (const entry of entries) {
    if (!DAEMON_DIR_PATTERN.test(entry)) continue;
    const dir = join(DAEMON_DIR_PARENT, entry);
    const owner = await readPid(join(dir, "owner.pid"));
    if (owner === undefined) {
      // Maybe a concurrent run between mkdtemp and writing owner.pid: only reap once it is old.
      const info = await stat(dir).catch(() => undefined);
      if (!info || Date.now() - info.mtimeMs < 5 * 60_000) continue;
    } else if (isAlive(owner)) {
      continue;
    }
    log(`removing stale test daemon directory ${dir} (its test run is gone)`);
    try {
      const daemonPid = await readPid(join(dir, "docker.pid"));
      if (daemonPid !== undefined && (await processReferences(daemonPid, dir))) {
        process.kill(daemonPid, "SIGTERM");
        const deadline = Date.now() + DAEMON_STOP_TIMEOUT_MS;
        while (isAlive(daemonPid) && Date.now() < deadline) await sleep(100);
      }
      await removeDaemonLeftovers(dir);
    } catch (error) {
      log(`could not fully remove ${dir}: ${errorText(error)}`);
    }
  }
  await removeOrphanedCgroupsAndBridges();
}

/**
 * Our cgroups and gateway bridges whose daemon directory no longer exists (e.g. removed by hand after
 * a crash). rmdir only succeeds on empty cgroups, so nothing in use is touched.
 */
async function removeOrphanedCgroupsAndBridges(): Promise<void> {
  const hasDir = (suffix: string): Promise<boolean> =>
    exists(join(DAEMON_DIR_PARENT, `${DAEMON_DIR_PREFIX}${suffix}`));
  for (const base of await cgroupBases()) {
    for (const entry of await readdir(base).catch(() => [] as string[])) {
      const match = /^croncd-test-([A-Za-z0-9]{6})$/.exec(entry);
      if (match?.[1] && !(await hasDir(match[1]))) await removeCgroups(entry);
    }
  }
  for (const link of await readdir("/sys/class/net").catch(() => [] as string[])) {
    const match = /^cdgw([A-Za-z0-9]{6})$/.exec(link);
    if (match?.[1] && !(await hasDir(match[1]))) await deleteLink(link);
  }
}

/**
 * After dockerd is gone (or was killed): kills processes that still reference the directory
 * (containerd, shims) and the containers in our cgroup parent, unmounts what is mounted below the
 * directory (network namespaces, the data root), and deletes our cgroups, gateway bridge and directory.
 */
async function removeDaemonLeftovers(dir: string): Promise<void> {
  const suffix = dir.slice(dir.lastIndexOf("-") + 1);
  for (const pid of await processesReferencing(dir)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  await killCgroupProcesses(`croncd-test-${suffix}`);
  await unmountBelow(dir);
  await removeCgroups(`croncd-test-${suffix}`);
  await deleteLink(gatewayBridgeName(suffix));
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

async function processesReferencing(dir: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir("/proc").catch(() => [] as string[])) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid !== process.pid && (await processReferences(pid, dir))) pids.push(pid);
  }
  return pids;
}

/** True if the process's command line names `dir` (or something below it); false if it is gone. */
async function processReferences(pid: number, dir: string): Promise<boolean> {
  try {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, "utf8");
    return cmdline.split("\0").some((arg) => arg === dir || arg.includes(`${dir}/`));
  } catch {
    return false;
  }
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

/**
 * Directories below which dockerd may have created its cgroup parent: the root of every cgroup
 * hierarchy, and our own cgroup in each (where a namespaced or delegated hierarchy puts it).
 */
async function cgroupBases(): Promise<string[]> {
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

async function killCgroupProcesses(name: string): Promise<void> {
  const pids = new Set<number>();
  for (const dir of await cgroupDirs(name)) {
    const procs = await readFile(join(dir, "cgroup.procs"), "utf8").catch(() => "");
    for (const line of procs.split("\n")) if (/^\d+$/.test(line)) pids.add(Number(line));
  }
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  if (pids.size > 0) await sleep(200);
}

async function removeCgroups(name: string): Promise<void> {
  for (const dir of await cgroupDirs(name)) {
    await rmdir(dir).catch(() => undefined);
  }
}

async function deleteLink(name: string): Promise<void> {
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

// ---------------------------------------------------------------------------------------------
// Test images

/**
 * Builds TEST_IMAGE and TEST_IMAGE_V2 from the host's static busybox: no registry is reachable, so the
 * rootfs is assembled here and imported. A tiny Dockerfile on top sets STOPSIGNAL SIGKILL (which
 * `docker import --change` does not accept): busybox `sleep` as PID 1 ignores SIGTERM, and without it
 * every stack removal or service update would wait out the 10 s stop grace period.
 */
async function buildTestImages(workDir: string): Promise<void> {
  const busybox = await findStaticBusybox();
  const imageDir = join(workDir, "image");
  const rootfs = join(imageDir, "rootfs");
  for (const sub of ["bin", "etc", "root", "tmp", "usr/bin", "var/www"]) {
    await mkdir(join(rootfs, sub), { recursive: true });
  }
  await chmod(join(rootfs, "tmp"), 0o1777);
  await chmod(join(rootfs, "root"), 0o700);
  const binary = await readFile(busybox);
  await writeFile(join(rootfs, "bin/busybox"), binary, { mode: 0o755 });
  const { stdout: applets } = await execa(busybox, ["--list"]);
  for (const applet of applets.split("\n")) {
    const name = applet.trim();
    if (name === "" || name === "busybox" || name.includes("/")) continue;
    await symlink("busybox", join(rootfs, "bin", name));
  }
  // Scripts with `#!/usr/bin/env sh` should work too.
  await symlink("/bin/busybox", join(rootfs, "usr/bin/env"));
  await writeFile(
    join(rootfs, "etc/passwd"),
    "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n",
  );
  await writeFile(join(rootfs, "etc/group"), "root:x:0:\nnogroup:x:65534:\n");

  const tar = async (output: string): Promise<void> => {
    await execa("tar", ["--numeric-owner", "--owner=0", "--group=0", "-C", rootfs, "-cf", output, "."]);
  };
  const tar1 = join(imageDir, "rootfs-1.tar");
  const tar2 = join(imageDir, "rootfs-2.tar");
  await tar(tar1);
  await writeFile(join(rootfs, "VERSION"), "2\n");
  await tar(tar2);

  await Promise.all([importImage(tar1, TEST_IMAGE), importImage(tar2, TEST_IMAGE_V2)]);
  await rm(imageDir, { recursive: true, force: true });
}

async function importImage(tarball: string, tag: string): Promise<void> {
  const base = `${tag}-rootfs`;
  await dockerCall(["import", "--change", 'CMD ["sleep","3600"]', tarball, base]);
  // The legacy builder: Debian's docker.io has no buildx, and this Dockerfile needs no build context.
  await dockerCall(["build", "-q", "-t", tag, "-"], {
    input: `FROM ${base}\nSTOPSIGNAL SIGKILL\nLABEL org.croncd.test-image="${tag}"\n`,
    env: { DOCKER_BUILDKIT: "0" },
  });
  // Only the final tag is meant to be used; the layers stay referenced by it.
  await dockerCall(["image", "rm", base]);
}

async function findStaticBusybox(): Promise<string> {
  for (const candidate of ["/bin/busybox", "/usr/bin/busybox"]) {
    if (!(await exists(candidate))) continue;
    // A dynamically linked busybox (Debian's `busybox` package) would not run in an empty rootfs.
    if (hasElfInterpreter(await readFile(candidate))) {
      throw new Error(`${candidate} is dynamically linked: install Debian's busybox-static package instead.`);
    }
    return candidate;
  }
  throw new Error("busybox not found: install Debian's busybox-static package (it provides the test image).");
}

/** True if the ELF file asks for a program interpreter (PT_INTERP), i.e. is dynamically linked. */
function hasElfInterpreter(elf: Buffer): boolean {
  if (elf.length < 64 || elf.readUInt32BE(0) !== 0x7f454c46) return false;
  const is64 = elf[4] === 2;
  const little = elf[5] === 1;
  const u16 = (offset: number): number => (little ? elf.readUInt16LE(offset) : elf.readUInt16BE(offset));
  const u32 = (offset: number): number => (little ? elf.readUInt32LE(offset) : elf.readUInt32BE(offset));
  const phoff = is64 ? Number(little ? elf.readBigUInt64LE(0x20) : elf.readBigUInt64BE(0x20)) : u32(0x1c);
  const phentsize = u16(is64 ? 0x36 : 0x2a);
  const phnum = u16(is64 ? 0x38 : 0x2c);
  const PT_INTERP = 3;
  for (let i = 0; i < phnum; i++) {
    const offset = phoff + i * phentsize;
    if (offset + 4 > elf.length) break;
    if (u32(offset) === PT_INTERP) return true;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// Small utilities

async function removeStacks(select: (name: string) => boolean): Promise<void> {
  const { stdout } = await dockerCall(["stack", "ls", "--format", "{{.Name}}"]);
  const names = stdout
    .split("\n")
    .map((name) => name.trim())
    .filter((name) => name !== "" && select(name));
  if (names.length > 0) await dockerCall(["stack", "rm", ...names]);
}

function dockerCall(
  args: string[],
  options: { input?: string; env?: Record<string, string> } = {},
): Promise<{ stdout: string }> {
  return execa("docker", args, { timeout: DOCKER_CALL_TIMEOUT_MS, ...options }).catch((error: unknown) => {
    throw new Error(`docker ${args.join(" ")} failed: ${errorText(error)}`);
  });
}

async function pickTcpPort(preferred: number): Promise<number> {
  const tryListen = (port: number): Promise<number | undefined> =>
    new Promise((resolve) => {
      const server = createServer();
      server.once("error", () => resolve(undefined));
      server.listen(port, "127.0.0.1", () => {
        const address = server.address();
        const chosen = typeof address === "object" && address ? address.port : undefined;
        server.close(() => resolve(chosen));
      });
    });
  const port = (await tryListen(preferred)) ?? (await tryListen(0));
  if (port === undefined) throw new Error("could not find a free TCP port on 127.0.0.1 for the swarm");
  return port;
}

async function pickUdpPort(preferred: number): Promise<number> {
  const tryBind = (port: number): Promise<boolean> =>
    new Promise((resolve) => {
      const socket = createSocket("udp4");
      socket.once("error", () => {
        socket.close();
        resolve(false);
      });
      socket.bind(port, () => socket.close(() => resolve(true)));
    });
  if (await tryBind(preferred)) return preferred;
  // Swarm requires the VXLAN data path port to be within 1024-49151.
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 4800 + Math.floor(Math.random() * 1000);
    if (await tryBind(port)) return port;
  }
  throw new Error("could not find a free UDP port for the swarm data path");
}

async function findExecutable(name: string): Promise<string | undefined> {
  for (const dir of withSystemBinDirs(process.env.PATH).split(":")) {
    if (dir === "") continue;
    const candidate = join(dir, name);
    try {
      await access(candidate, fsConstants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

function withSystemBinDirs(path: string | undefined): string {
  const dirs = (path ?? "").split(":").filter((dir) => dir !== "");
  for (const dir of SYSTEM_BIN_DIRS) if (!dirs.includes(dir)) dirs.push(dir);
  return dirs.join(":");
}

function gatewayBridgeName(suffix: string): string {
  // Linux interface names are at most 15 characters.
  return `cdgw${suffix}`;
}

async function readPid(file: string): Promise<number | undefined> {
  const text = await readFile(file, "utf8").catch(() => "");
  const pid = Number.parseInt(text.trim(), 10);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

async function logTail(dir: string, lines = 40): Promise<string> {
  const text = await readFile(join(dir, "dockerd.log"), "utf8").catch(() => "(no dockerd.log)");
  return text.trimEnd().split("\n").slice(-lines).join("\n");
}

function seconds(since: number): string {
  return ((performance.now() - since) / 1000).toFixed(1);
}

function errorText(error: unknown): string {
  if (
    error &&
    typeof error === "object" &&
    "stderr" in error &&
    typeof error.stderr === "string" &&
    error.stderr
  ) {
    return error.stderr.trim();
  }
  return error instanceof Error ? error.message : String(error);
}

const DOCKER_ENV_KEYS = [
  "DOCKER_HOST",
  "DOCKER_CONFIG",
  "DOCKER_CONTEXT",
  "DOCKER_TLS_VERIFY",
  "DOCKER_CERT_PATH",
];
type SavedEnv = Record<string, string | undefined>;

function saveDockerEnv(): SavedEnv {
  return Object.fromEntries(DOCKER_ENV_KEYS.map((key) => [key, process.env[key]]));
}

function restoreDockerEnv(saved: SavedEnv): void {
  for (const [key, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
}
