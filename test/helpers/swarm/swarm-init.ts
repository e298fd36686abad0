// Making a fresh private daemon a single-node Swarm manager, and undoing that before it stops.
import type { DockerCall } from "./docker-cli.js";
import { removeStacks } from "./docker-cli.js";
import { gatewayBridgeName } from "./layout.js";
import { pickTcpPort, pickUdpPort } from "./ports.js";
import { errorText } from "./system.js";

// Preferred Swarm ports; another concurrent daemon may hold them, then free ones are picked.
const SWARM_PORT = 2378;
const DATA_PATH_PORT = 4799;

/** `docker swarm init` on 127.0.0.1 only, with a gateway bridge named after this daemon. */
export async function initSwarm(docker: DockerCall, suffix: string): Promise<void> {
  // Swarm would create docker_gwbridge with a fixed Linux bridge name in the host's network namespace,
  // shared with any other daemon and left behind after we stop. Pre-creating it with our own bridge name
  // keeps it apart and lets the teardown delete exactly that interface.
  await docker([
    "network",
    "create",
    "--driver",
    "bridge",
    "--scope",
    "local",
    "--opt",
    `com.docker.network.bridge.name=${gatewayBridgeName(suffix)}`,
    "--opt",
    "com.docker.network.bridge.enable_icc=false",
    "--opt",
    "com.docker.network.bridge.enable_ip_masquerade=false",
    "docker_gwbridge",
  ]);
  const swarmPort = await pickTcpPort(SWARM_PORT);
  const dataPathPort = await pickUdpPort(DATA_PATH_PORT);
  await docker([
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

/**
 * Removes every stack and leaves the Swarm, so the daemon that follows stops its tasks and overlay
 * networks itself instead of the leftover sweep killing and unmounting them. Best effort: a failure
 * is logged and the daemon is stopped anyway.
 */
export async function dismantleSwarm(docker: DockerCall, log: (line: string) => void): Promise<void> {
  try {
    await removeStacks(docker, () => true);
  } catch (error) {
    log(`teardown: removing stacks failed (continuing): ${errorText(error)}`);
  }
  try {
    await docker(["swarm", "leave", "--force"]);
  } catch (error) {
    log(`teardown: leaving the swarm failed (continuing): ${errorText(error)}`);
  }
}
