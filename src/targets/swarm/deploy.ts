/**
 * `docker stack deploy` of one rendered stack. The document goes in on stdin, so no rendered file
 * (which may hold decrypted values) is ever written, and the command runs in the stack's folder so
 * relative file references resolve as they do for a person running it by hand.
 */
import type { SwarmTargetConfig } from "../../config/schema.js";
import type { DockerCli } from "../../ports/docker.js";
import { TargetError } from "../../errors.js";
import { STACK_NAMESPACE_LABEL } from "./labels.js";
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
    // No --detach flag: CLIs before 26 do not know it and always return at once; newer ones
    // default to returning at once too. (--detach=false misreports rollbacks and hangs on jobs.)
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

/**
 * `docker stack rm`, then waiting until the stack's services and networks are gone, so "deleted"
 * in the report means gone and a stack re-created later does not collide with its own networks
 * still being torn down. (`--detach=false` would do this, but only on CLIs from 26 on.)
 */
export async function removeStack(
  docker: DockerCli,
  stackName: string,
  options: { timeoutMs?: number; pollMs?: number } = {},
): Promise<void> {
  const subject = `stack ${stackName}: remove failed`;
  await docker.run(["stack", "rm", stackName], { subject });
  const deadline = Date.now() + (options.timeoutMs ?? REMOVE_TIMEOUT_MS);
  const filter = `label=${STACK_NAMESPACE_LABEL}=${stackName}`;
  for (;;) {
    const services = await docker.run(["service", "ls", "--quiet", "--filter", filter], { subject });
    const networks = await docker.run(["network", "ls", "--quiet", "--filter", filter], { subject });
    if (services.trim() === "" && networks.trim() === "") return;
    if (Date.now() > deadline) {
      throw new TargetError("the stack was asked to go but its services or networks are still there", {
        subject: `stack ${stackName}`,
        hint: "look at `docker stack ps` for tasks that do not stop",
      });
    }
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 500));
  }
}

export const REMOVE_TIMEOUT_MS = 120_000;
