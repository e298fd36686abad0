// Starting and stopping one private dockerd that lives entirely in a fresh directory under /tmp:
// its socket, data root, exec root, pid file, log and docker CLI config.
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { mkdir, mkdtemp, open, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { execa } from "execa";
import { isolatedDockerEnv } from "./docker-cli.js";
import type { DockerEnv } from "./docker-cli.js";
import {
  DAEMON_DIR_PARENT,
  DAEMON_DIR_PREFIX,
  DAEMON_READY_TIMEOUT_MS,
  DAEMON_STOP_TIMEOUT_MS,
  cgroupParentName,
  containerdNamespace,
  daemonHost,
  daemonPaths,
  suffixOf,
} from "./layout.js";
import { removeDaemonLeftovers } from "./leftovers.js";
import { errorText, isAlive, readPid, settlesWithin, signalProcess, withSystemBinDirs } from "./system.js";

export interface PrivateDaemon {
  dir: string;
  /** Random part of the directory name; names the cgroup parent, gateway bridge and containerd namespace. */
  suffix: string;
  /** DOCKER_HOST of the daemon: `unix://<dir>/docker.sock`. */
  host: string;
  /** Environment for a docker CLI that must reach this daemon and nothing else. */
  env: DockerEnv;
  child: ChildProcess;
  exited: Promise<void>;
}

export interface StartDaemonOptions {
  /** Path of the dockerd binary. */
  dockerd: string;
  log: (line: string) => void;
  /**
   * Start dockerd in its own session. Then a Ctrl-C in the terminal reaches only this process (which
   * can tear down in order), and the daemon can outlive it. Off for the tests, where a Ctrl-C'd
   * vitest should take the daemon down with it.
   */
  detached?: boolean;
}

/** Starts dockerd and resolves once it answers; on failure nothing of it is left behind. */
export async function startDaemon(options: StartDaemonOptions): Promise<PrivateDaemon> {
  const dir = await mkdtemp(join(DAEMON_DIR_PARENT, DAEMON_DIR_PREFIX));
  const paths = daemonPaths(dir);
  // Written first, so a concurrent run's stale-daemon sweep sees this directory as alive.
  await writeFile(paths.ownerPid, `${process.pid}\n`);
  await mkdir(paths.dockerConfig);
  return launchDaemon(dir, options);
}

/**
 * Kills dockerd with SIGKILL, as a crash or an OOM kill would, and starts it again on the same
 * directory (its data, its Swarm): for tests of what a client sees when the daemon dies under it.
 */
export async function crashAndRestartDaemon(
  daemon: PrivateDaemon,
  options: StartDaemonOptions,
): Promise<PrivateDaemon> {
  daemon.child.ref();
  daemon.child.kill("SIGKILL");
  await settlesWithin(daemon.exited, 10_000);
  // dockerd's own containerd outlives it, and the new dockerd cannot take it over (it waits for it
  // and gives up): it goes too, as in a crash of the whole daemon. Containers keep running.
  const containerd = await readPid(join(daemonPaths(daemon.dir).execRoot, "containerd", "containerd.pid"));
  if (containerd !== undefined) {
    signalProcess(containerd, "SIGKILL");
    const deadline = Date.now() + 10_000;
    while (isAlive(containerd) && Date.now() < deadline) await sleep(50);
  }
  return launchDaemon(daemon.dir, options);
}

async function launchDaemon(dir: string, options: StartDaemonOptions): Promise<PrivateDaemon> {
  const { log } = options;
  const paths = daemonPaths(dir);
  const suffix = suffixOf(dir);
  const host = daemonHost(dir);
  const env = isolatedDockerEnv(host, paths.dockerConfig);

  const args = [
    "--data-root",
    paths.dataRoot,
    "--exec-root",
    paths.execRoot,
    "-H",
    host,
    "--pidfile",
    paths.dockerPid,
    // No default bridge and no host firewall/sysctl changes: stacks only use overlay networks.
    "--bridge",
    "none",
    "--iptables=false",
    "--ip-forward=false",
    "--ip-masq=false",
    // Keep containers out of any other daemon's cgroup and containerd namespace (dockerd 20.10 uses a
    // system containerd when /run/containerd/containerd.sock exists), so cleanup can find exactly ours.
    "--cgroup-parent",
    cgroupParentName(suffix),
    "--containerd-namespace",
    containerdNamespace(suffix),
    "--containerd-plugins-namespace",
    `${containerdNamespace(suffix)}-plugins`,
    "--shutdown-timeout",
    "3",
  ];
  const logFile = await open(paths.log, "a");
  let child: ChildProcess;
  try {
    child = spawn(options.dockerd, args, {
      stdio: ["ignore", logFile.fd, logFile.fd],
      env: { ...process.env, ...env, PATH: withSystemBinDirs(process.env.PATH) },
      detached: options.detached ?? false,
    });
  } finally {
    // The child has its own copy of the descriptor.
    await logFile.close();
  }
  const exited = new Promise<void>((resolve) => {
    child.once("exit", () => resolve());
    child.once("error", () => resolve());
  });
  // The daemon must not keep the event loop alive (an exit hook stops it if teardown is skipped).
  child.unref();
  const daemon: PrivateDaemon = { dir, suffix, host, env, child, exited };

  const fail = async (reason: string): Promise<never> => {
    const tail = await logTail(dir);
    await stopDaemon(daemon, log).catch((cleanupError: unknown) =>
      log(`cleanup failed: ${errorText(cleanupError)}`),
    );
    throw new Error(`${reason}. Log tail:\n${tail}`);
  };
  const deadline = Date.now() + DAEMON_READY_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      await fail(`dockerd exited during startup (${child.exitCode ?? child.signalCode})`);
    }
    const probe = await execa("docker", ["info", "--format", "{{.ID}}"], {
      reject: false,
      timeout: 5_000,
      env,
    });
    if (probe.exitCode === 0) break;
    if (Date.now() > deadline) {
      await fail(
        `dockerd did not answer on ${host} within ${DAEMON_READY_TIMEOUT_MS / 1000} s ` +
          `(last error: ${probe.stderr.trim()})`,
      );
    }
    await sleep(100);
  }
  return daemon;
}

/** Stops the daemon (SIGTERM, then SIGKILL) and removes every trace of it: processes, mounts, cgroups, bridge, directory. */
export async function stopDaemon(daemon: PrivateDaemon, log: (line: string) => void): Promise<void> {
  const { child } = daemon;
  if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
    // The child was unref'ed at start; without this, the process (vitest) could exit mid-teardown once
    // nothing else is pending, leaving the daemon's mounts and directory behind.
    child.ref();
    child.kill("SIGTERM");
    if (!(await settlesWithin(daemon.exited, DAEMON_STOP_TIMEOUT_MS))) {
      log(`dockerd did not stop within ${DAEMON_STOP_TIMEOUT_MS / 1000} s of SIGTERM; sending SIGKILL`);
      child.kill("SIGKILL");
      await settlesWithin(daemon.exited, 5_000);
    }
  }
  await removeDaemonLeftovers(daemon.dir, log);
}

async function logTail(dir: string, lines = 40): Promise<string> {
  const text = await readFile(daemonPaths(dir).log, "utf8").catch(() => "(no dockerd.log)");
  return text.trimEnd().split("\n").slice(-lines).join("\n");
}
