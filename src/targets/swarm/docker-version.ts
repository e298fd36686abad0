/**
 * croncd hands `docker stack deploy` Compose files without a `version:` key, which the docker CLI
 * reads only from 23.0 on (older ones answer "unsupported Compose file version: 1.0" — Debian
 * bookworm's docker.io is 20.10). Checked once per target, before anything is deployed.
 */
import { TargetError } from "../../errors.js";
import type { DockerCli } from "../../ports/docker.js";

export const MINIMUM_DOCKER_CLI_MAJOR = 23;

export async function assertDockerCliVersion(docker: DockerCli, subject: string): Promise<void> {
  // `docker --version` answers without a daemon, so this says nothing yet about reachability.
  const output = await docker.run(["--version"], { subject });
  const major = Number(/version (\d+)\./i.exec(output)?.[1]);
  if (!Number.isFinite(major) || major < MINIMUM_DOCKER_CLI_MAJOR) {
    throw new TargetError(`the docker CLI is too old (${output.trim()})`, {
      subject,
      hint: `croncd needs docker CLI ${MINIMUM_DOCKER_CLI_MAJOR}.0 or newer; install docker-ce-cli or copy it from the docker:cli image`,
    });
  }
}
