// The Swarm target in the contract suite: stacks on the real test Swarm of the global setup.
import {
  docker,
  dockerHost,
  listServices,
  removeAllStacks,
  TEST_IMAGE,
  uniqueStackName,
} from "../../helpers/docker.js";
import { holdSwarmLock, removeSwarmLock, swarmLockHolder } from "../../helpers/swarm-lock.js";
import type { TargetHarness } from "../harness.js";

const prefix = uniqueStackName("contract");
/** Its own lock: holding it by hand must not hold up the other test files on the same Swarm. */
const LOCK = `${prefix}-lock`;
/** The version of a stack is the length of its sleep: visible in the live spec, harmless to run. */
const BASE_SLEEP = 3600;

const compose = (command: string) => `services:\n  app:\n    image: ${TEST_IMAGE}\n    command: ${command}\n`;

const swarm: TargetHarness = {
  type: "swarm",
  itemKind: "stack",
  tearDown: async () => {
    await removeSwarmLock(LOCK);
    await removeAllStacks(prefix);
  },
  itemName: (label) => `${prefix}-${label}`,
  targetFields: () => ({
    path: "stacks",
    resolveImage: "never",
    docker: { host: dockerHost() },
    lock: { name: LOCK },
  }),
  baseFiles: () => ({ "stacks/README.md": "One folder per stack.\n" }),
  itemPaths: (name) => [`stacks/${name}`],
  itemFiles: (name, version) => ({
    [`stacks/${name}/compose.yaml`]: compose(`["sleep", "${BASE_SLEEP + version}"]`),
  }),
  // Not a Compose file at all: render fails before anything reaches the Swarm.
  unrenderableItemFiles: (name) => ({ [`stacks/${name}/compose.yaml`]: "services: [not, a, mapping]\n" }),
  // Valid Compose, refused by Swarm at deploy time (the network is declared nowhere).
  undeployableItemFiles: (name) => ({
    [`stacks/${name}/compose.yaml`]: `services:\n  app:\n    image: ${TEST_IMAGE}\n    networks: [missing]\n`,
  }),
  createUnownedItem: async (name) => {
    // What `docker stack deploy` would make, minus croncd's labels: a stack someone deployed by hand.
    await docker([
      "service",
      "create",
      "--detach",
      "--name",
      `${name}_app`,
      "--label",
      `com.docker.stack.namespace=${name}`,
      TEST_IMAGE,
      "sleep",
      "3600",
    ]);
  },
  liveVersions: async (names) => {
    const services = await listServices("com.docker.stack.namespace");
    const versions = new Map<string, number | undefined>();
    for (const service of services) {
      const stack = service.Spec.Labels?.["com.docker.stack.namespace"] ?? "";
      if (!names.includes(stack)) continue;
      const spec = service.Spec.TaskTemplate.ContainerSpec;
      const sleep = Number([...(spec.Command ?? []), ...(spec.Args ?? [])].at(-1));
      const managed = service.Spec.Labels?.["io.croncd.managed-by"] !== undefined;
      versions.set(stack, managed ? sleep - BASE_SLEEP : undefined);
    }
    return versions;
  },
  lock: {
    holdAsAnotherRun: (holder, expiresAt) => holdSwarmLock(LOCK, holder, expiresAt),
    holder: () => swarmLockHolder(LOCK),
    remove: () => removeSwarmLock(LOCK),
  },
};

export default swarm;
