// Where a private daemon lives and what it names after itself. Everything a daemon leaves on the host
// (its directory, cgroup parent, gateway bridge, containerd namespaces) carries the random suffix of
// its directory, so cleanup can tell ours from anybody else's, and a crashed run's from a live one's.
import { basename, dirname, join } from "node:path";

// Short on purpose: unix socket paths are limited to ~107 bytes, so no os.tmpdir() (TMPDIR may be long).
export const DAEMON_DIR_PARENT = "/tmp";
export const DAEMON_DIR_PREFIX = "croncd-d-";
export const DAEMON_DIR_PATTERN = /^croncd-d-[A-Za-z0-9]{6}$/;
export const CGROUP_PARENT_PATTERN = /^croncd-test-([A-Za-z0-9]{6})$/;
export const GATEWAY_BRIDGE_PATTERN = /^cdgw([A-Za-z0-9]{6})$/;

export const DAEMON_READY_TIMEOUT_MS = 60_000;
export const DAEMON_STOP_TIMEOUT_MS = 20_000;

/** The files and directories inside a daemon directory. */
export function daemonPaths(dir: string) {
  return {
    /** pid of the process that owns the daemon; while it lives, no stale sweep touches the directory. */
    ownerPid: join(dir, "owner.pid"),
    /** Written by dockerd itself (--pidfile). */
    dockerPid: join(dir, "docker.pid"),
    log: join(dir, "dockerd.log"),
    /** A DOCKER_CONFIG of our own, so no ~/.docker settings (contexts, TLS) apply. */
    dockerConfig: join(dir, "docker-config"),
    dataRoot: join(dir, "data"),
    execRoot: join(dir, "exec"),
    socket: join(dir, "docker.sock"),
  };
}

export function daemonHost(dir: string): string {
  return `unix://${daemonPaths(dir).socket}`;
}

/** True for a path this code could have created as a daemon directory (and so may delete). */
export function isDaemonDir(dir: string): boolean {
  return dirname(dir) === DAEMON_DIR_PARENT && DAEMON_DIR_PATTERN.test(basename(dir));
}

/** The random part of a daemon directory's name. */
export function suffixOf(dir: string): string {
  return dir.slice(dir.lastIndexOf("-") + 1);
}

export function cgroupParentName(suffix: string): string {
  return `croncd-test-${suffix}`;
}

export function gatewayBridgeName(suffix: string): string {
  // Linux interface names are at most 15 characters.
  return `cdgw${suffix}`;
}

export function containerdNamespace(suffix: string): string {
  return `croncd-${suffix}`;
}
