// Vitest global setup: gives the whole test run one private Docker Swarm.
//
// Unless CRONCD_TEST_DOCKER_HOST names a daemon explicitly, we start our own dockerd in a fresh
// directory under /tmp, make it a single-node Swarm manager, build the small test images locally
// (no registry is reachable) and tear all of it down again at the end; the machinery lives in
// ./swarm/. Tests must never touch a Docker daemon they did not start, so DOCKER_HOST is overridden
// for the workers as well.
import { mkdtemp, rm } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import type { TestProject } from "vitest/node";
import { TEST_IMAGE, TEST_IMAGE_V2, TEST_STACK_PREFIX } from "./swarm/constants.js";
import {
  buildBusyboxImages,
  dockerCaller,
  exportDockerEnv,
  removeStacks,
  startPrivateSwarm,
} from "./swarm/index.js";
import type { DockerEnv } from "./swarm/index.js";
import { DOCKER_CALL_TIMEOUT_MS } from "./swarm/docker-cli.js";
import { DAEMON_DIR_PARENT } from "./swarm/layout.js";
import { errorText } from "./swarm/system.js";

export { TEST_IMAGE, TEST_IMAGE_V2, TEST_STACK_PREFIX } from "./swarm/constants.js";

const log = (message: string): void => console.log(`[croncd-test] ${message}`);

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const explicitHost = process.env.CRONCD_TEST_DOCKER_HOST;
  if (explicitHost) return setupExplicitDaemon(project, explicitHost);

  const startedAt = performance.now();
  const swarm = await startPrivateSwarm({
    log,
    images: [TEST_IMAGE, TEST_IMAGE_V2],
    alternative: "or set CRONCD_TEST_DOCKER_HOST to a Swarm manager you want the tests to use",
  });
  log(`private dockerd + swarm + test images ready in ${seconds(startedAt)} s (${swarm.dir})`);
  // The workers are forked after this and inherit the environment: their docker CLI and croncd reach
  // the private daemon even where a test does not pass DOCKER_HOST itself.
  const restoreEnv = exportDockerEnv(swarm.env);
  project.provide("dockerHost", swarm.host);
  project.provide("dockerHostIsPrivate", true);

  return async () => {
    const teardownStartedAt = performance.now();
    try {
      await swarm.stop();
    } finally {
      restoreEnv();
    }
    log(`private dockerd stopped and removed in ${seconds(teardownStartedAt)} s`);
  };
}

/** A daemon named explicitly by the person running the tests: used as it is, never reconfigured. */
async function setupExplicitDaemon(project: TestProject, host: string): Promise<() => Promise<void>> {
  // Only the host is overridden: a remote daemon may need the person's TLS settings.
  const env: DockerEnv = { DOCKER_HOST: host, DOCKER_CONTEXT: undefined };
  const restoreEnv = exportDockerEnv(env);
  const docker = dockerCaller(env);
  try {
    const { stdout } = await execa("docker", ["info", "--format", "{{json .Swarm}}"], {
      timeout: DOCKER_CALL_TIMEOUT_MS,
      env,
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
      await buildBusyboxImages([TEST_IMAGE, TEST_IMAGE_V2], { docker, workDir });
    } finally {
      await rm(workDir, { recursive: true, force: true });
    }
  } catch (error) {
    restoreEnv();
    throw error;
  }
  log(`using CRONCD_TEST_DOCKER_HOST=${host}`);
  project.provide("dockerHost", host);
  project.provide("dockerHostIsPrivate", false);
  return async () => {
    // Not our daemon: remove only what the tests created, and leave the swarm alone.
    await removeStacks(docker, (name) => name.startsWith(TEST_STACK_PREFIX)).catch((error: unknown) => {
      log(`teardown: removing test stacks failed: ${errorText(error)}`);
    });
    restoreEnv();
  };
}

function seconds(since: number): string {
  return ((performance.now() - since) / 1000).toFixed(1);
}
