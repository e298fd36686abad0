// A private, throw-away Docker Swarm on this machine: the public surface of test/helpers/swarm/.
// Start with `startPrivateSwarm`; the other exports are for callers that need one piece of it.
export { startPrivateSwarm, stopKeptSwarm } from "./private-swarm.js";
export type { PrivateSwarm, PrivateSwarmOptions } from "./private-swarm.js";
export { buildBusyboxImages } from "./images.js";
export type { BuildImagesOptions } from "./images.js";
export { dockerCaller, exportDockerEnv, isolatedDockerEnv, removeStacks } from "./docker-cli.js";
export type { DockerCall, DockerEnv } from "./docker-cli.js";
export { TEST_IMAGE, TEST_IMAGE_V2, TEST_STACK_PREFIX } from "./constants.js";
