/** The Swarm target's lock, as the registry hands it to the pipeline: one per Swarm and lock name. */
import { createDockerCli } from "../../ports/docker.js";
import type { TargetLock } from "../../lock/target-lock.js";
import type { SwarmTargetConfig } from "./config.js";
import { createSwarmLockStore } from "./lock-store.js";

export function swarmLock(config: SwarmTargetConfig): TargetLock {
  return {
    // The daemon the docker settings reach, and the name: two configurations on one Swarm meet here.
    key: JSON.stringify([config.docker.host ?? "", config.docker.context ?? "", config.lock.name]),
    timing: config.lock,
    open: () =>
      Promise.resolve(createSwarmLockStore(createDockerCli(config.docker), config.docker, config.lock.name)),
  };
}
