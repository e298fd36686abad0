/**
 * `docker stack deploy` of one rendered stack. The document goes in on stdin, so no rendered file
 * (which may hold decrypted values) is ever written, and the command runs in the stack's folder so
 * relative file references resolve as they do for a person running it by hand.
 */
import type { SwarmTargetConfig } from "../../config/schema.js";
import type { DockerCli } from "../../ports/docker.js";
import type { DesiredStack } from "./model.js";

export type DeployOptions = Pick<SwarmTargetConfig, "resolveImage" | "withRegistryAuth">;

export function deployArguments(stackName: string, options: DeployOptions): string[] {
  return [
    "stack",
    "deploy",
    "--compose-file",
    "-",
    // Services removed from the compose file are removed from the stack.
    "--prune",
    ...(options.withRegistryAuth ? ["--with-registry-auth"] : []),
    "--resolve-image",
    options.resolveImage,
    // croncd watches the rollout itself: --detach=false misreports rollbacks and hangs on jobs.
    "--detach=true",
    stackName,
  ];
}

export async function deployStack(
  docker: DockerCli,
  stack: DesiredStack,
  options: DeployOptions,
): Promise<void> {
  await docker.run(deployArguments(stack.name, options), {
    input: stack.yaml,
    cwd: stack.dir,
    subject: `stack ${stack.name}: deploy failed`,
  });
}

export async function removeStack(docker: DockerCli, stackName: string): Promise<void> {
  // Wait for the removal, so "deleted" in the report means gone, and a stack re-created later
  // does not collide with its own networks still being torn down.
  await docker.run(["stack", "rm", "--detach=false", stackName], {
    subject: `stack ${stackName}: remove failed`,
  });
}
