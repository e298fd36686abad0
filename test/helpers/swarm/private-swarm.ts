// The one-call entry point: a private dockerd that is a single-node Swarm manager, with local busybox
// images if asked for. Used by the vitest global setup and by `npm run example`; nothing here knows
// about vitest. The machine's own Docker daemon is never contacted: every docker call gets the
// private daemon's environment explicitly.
import { resolve } from "node:path";
import { writeFile } from "node:fs/promises";
import { crashAndRestartDaemon, startDaemon, stopDaemon } from "./daemon.js";
import { dockerCaller, isolatedDockerEnv } from "./docker-cli.js";
import type { DockerEnv } from "./docker-cli.js";
import { buildBusyboxImages } from "./images.js";
import { DAEMON_DIR_PARENT, DAEMON_DIR_PREFIX, daemonHost, daemonPaths, isDaemonDir } from "./layout.js";
import { reapStaleDaemons, stopDaemonInDir } from "./stale.js";
import { dismantleSwarm, initSwarm } from "./swarm-init.js";
import {
  SYSTEM_BIN_DIRS,
  errorText,
  exists,
  findExecutable,
  isAlive,
  readPid,
  signalProcess,
} from "./system.js";

export interface PrivateSwarmOptions {
  /** Progress and cleanup messages, one line each; by default written to stderr. */
  log?: (line: string) => void;
  /** Local busybox images to build, see `buildBusyboxImages` (none by default). */
  images?: readonly string[];
  /**
   * Run dockerd in its own session: Ctrl-C in the terminal then reaches only the caller, which can tear
   * down in order, and a kept daemon survives the terminal. Off by default (the tests' behaviour).
   */
  detached?: boolean;
  /** Appended to the error when root or dockerd is missing: what else the person can do. */
  alternative?: string;
}

export interface PrivateSwarm {
  /** DOCKER_HOST of the daemon, `unix:///tmp/croncd-d-XXXXXX/docker.sock`. */
  host: string;
  /** The daemon's directory: socket, data, pid file, dockerd.log. */
  dir: string;
  /**
   * Environment for a docker CLI (or croncd) that must reach this daemon only: DOCKER_HOST and
   * DOCKER_CONFIG set, DOCKER_CONTEXT and the TLS variables removed (`undefined`).
   */
  env: DockerEnv;
  /** Removes all stacks, leaves the Swarm, stops dockerd and removes every trace of it. Idempotent. */
  stop(): Promise<void>;
  /**
   * Lets the daemon outlive this process: stale sweeps leave it alone while dockerd runs. Stop it later
   * with `stopKeptSwarm(dir)` (or `kill $(cat DIR/docker.pid)`; the next sweep removes the rest).
   */
  keep(): Promise<void>;
  /**
   * Kills dockerd with SIGKILL and starts it again on the same data (its Swarm, services and
   * images), resolving once it answers and the Swarm has a leader again.
   */
  crashAndRestart(): Promise<void>;
}

const stderrLog = (line: string): void => {
  process.stderr.write(`[private-swarm] ${line}\n`);
};

export async function startPrivateSwarm(options: PrivateSwarmOptions = {}): Promise<PrivateSwarm> {
  const log = options.log ?? stderrLog;
  const dockerd = await checkPrerequisites(options.alternative);
  await reapStaleDaemons(log);

  const launch = { dockerd, log, detached: options.detached ?? false };
  let daemon = await startDaemon(launch);
  // The exit hook covers a caller that exits without calling stop(); SIGTERM lets dockerd unmount and
  // stop its containers itself, and the next start reaps whatever is left.
  const onExit = (): void => {
    if (daemon.child.exitCode === null && daemon.child.pid !== undefined) {
      signalProcess(daemon.child.pid, "SIGTERM");
    }
  };
  process.on("exit", onExit);
  const docker = dockerCaller(daemon.env);
  try {
    // Independent of each other; together they are most of the startup time. Both settle before any
    // cleanup, so nothing still talks to the daemon while it is being stopped.
    const results = await Promise.allSettled([
      initSwarm(docker, daemon.suffix),
      buildBusyboxImages(options.images ?? [], { docker, workDir: daemon.dir }),
    ]);
    for (const result of results) if (result.status === "rejected") throw result.reason;
  } catch (error) {
    process.off("exit", onExit);
    await stopDaemon(daemon, log).catch((cleanupError: unknown) =>
      log(`cleanup failed: ${errorText(cleanupError)}`),
    );
    throw error;
  }

  let stopping: Promise<void> | undefined;
  return {
    host: daemon.host,
    dir: daemon.dir,
    env: daemon.env,
    stop() {
      stopping ??= (async () => {
        await dismantleSwarm(docker, log);
        await stopDaemon(daemon, log);
        process.off("exit", onExit);
      })();
      return stopping;
    },
    async crashAndRestart() {
      daemon = await crashAndRestartDaemon(daemon, launch);
      // Services answer only once the single manager has elected itself again.
      const deadline = Date.now() + 60_000;
      while (
        (await docker(["service", "ls", "--quiet"]).then(
          () => true,
          () => false,
        )) === false
      ) {
        if (Date.now() > deadline)
          throw new Error(`the Swarm of ${daemon.dir} has no leader after a restart`);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    },
    async keep() {
      if (stopping) throw new Error(`the private Swarm in ${daemon.dir} is already being stopped`);
      process.off("exit", onExit);
      // The daemon becomes its own owner: alive while dockerd runs, stale (and reaped) once it is gone.
      await writeFile(daemonPaths(daemon.dir).ownerPid, `${daemon.child.pid ?? ""}\n`);
    },
  };
}

/**
 * Stops a Swarm that an earlier process started and kept (`keep()`), given its directory, exactly
 * as `stop()` would have. Refuses directories that are not ours or whose starter is still running.
 */
export async function stopKeptSwarm(
  dir: string,
  options: { log?: (line: string) => void } = {},
): Promise<void> {
  const log = options.log ?? stderrLog;
  const path = resolve(dir);
  if (!isDaemonDir(path)) {
    throw new Error(
      `${dir} is not a private daemon directory (${DAEMON_DIR_PARENT}/${DAEMON_DIR_PREFIX}XXXXXX)`,
    );
  }
  if (!(await exists(path))) throw new Error(`${path} does not exist (already stopped?)`);
  const paths = daemonPaths(path);
  const owner = await readPid(paths.ownerPid);
  const dockerPid = await readPid(paths.dockerPid);
  if (owner !== undefined && owner !== dockerPid && isAlive(owner)) {
    throw new Error(`${path} belongs to a running process (pid ${owner}), which will stop it itself`);
  }
  if (dockerPid !== undefined && isAlive(dockerPid)) {
    await dismantleSwarm(dockerCaller(isolatedDockerEnv(daemonHost(path), paths.dockerConfig)), log);
  }
  await stopDaemonInDir(path, log);
}

/** Root, dockerd and the docker CLI; resolves to dockerd's path. */
async function checkPrerequisites(alternative: string | undefined): Promise<string> {
  const orElse = alternative ? `, ${alternative}` : "";
  if (typeof process.getuid === "function" && process.getuid() !== 0) {
    throw new Error(`Starting a private dockerd needs root: run this as root${orElse}.`);
  }
  const dockerd = await findExecutable("dockerd");
  const dockerCli = await findExecutable("docker");
  if (!dockerd || !dockerCli) {
    throw new Error(
      `${dockerd ? "docker (the CLI)" : "dockerd"} not found on PATH nor in ${SYSTEM_BIN_DIRS.join(", ")}. ` +
        "A private Docker daemon is started from it: install Debian's docker.io package " +
        `(apt-get install --no-install-recommends docker.io)${orElse}.`,
    );
  }
  return dockerd;
}
