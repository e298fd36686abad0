/**
 * `docker stack deploy` of one rendered stack. The document goes in on stdin, so no rendered file
 * (which may hold decrypted values) is ever written, and the command runs in the stack's folder so
 * relative file references resolve as they do for a person running it by hand.
 */
import type { SwarmTargetConfig } from "../../config/schema.js";
import { dockerFailure, type DockerCli } from "../../ports/docker.js";
import { TargetError } from "../../errors.js";
import { nonEmptyLines } from "../../util/text-lines.js";
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
    deploy: true,
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
  options: { timeoutMs?: number; pollMs?: number; staleNetworkGraceMs?: number } = {},
): Promise<void> {
  const subject = `stack ${stackName}: remove failed`;
  const removal = await docker.tryRun(["stack", "rm", stackName], { subject });
  // Services go at once, their tasks take a moment: the stack's networks are often still "in use
  // by task" when `docker stack rm` tries them. They are removed below once the tasks are gone.
  if (removal.exitCode !== 0 && !/is in use by task|failed to remove some resources/i.test(removal.stderr)) {
    throw dockerFailure(removal, subject);
  }
  const deadline = Date.now() + (options.timeoutMs ?? REMOVE_TIMEOUT_MS);
  const staleGraceMs = options.staleNetworkGraceMs ?? STALE_NETWORK_GRACE_MS;
  const filter = `label=${STACK_NAMESPACE_LABEL}=${stackName}`;
  // When the manager first answered "not found" for a network the node still lists. The node lets
  // go once the stack's containers have stopped, which is worth waiting for: a stack deployed again
  // under the same name would find the stale network, skip creating it, and fail. Finished job
  // containers can hold it much longer (seen with a 20.10 daemon); past a grace period such a
  // network counts as removed, since the Swarm itself no longer has it.
  const unknownToSwarmSince = new Map<string, number>();
  for (;;) {
    const services = await docker.run(["service", "ls", "--quiet", "--filter", filter], { subject });
    const networks = nonEmptyLines(
      await docker.run(["network", "ls", "--quiet", "--filter", filter], { subject }),
    ).filter((id) => Date.now() - (unknownToSwarmSince.get(id) ?? Infinity) < staleGraceMs);
    if (services.trim() === "" && networks.length === 0) return;
    // Retried until the last task has let go; a failure here only means "not yet".
    if (services.trim() === "") {
      for (const network of networks) {
        const removal = await docker.tryRun(["network", "rm", network]);
        if (
          removal.exitCode !== 0 &&
          /\bnot found\b/i.test(removal.stderr) &&
          !unknownToSwarmSince.has(network)
        )
          unknownToSwarmSince.set(network, Date.now());
      }
    }
    if (Date.now() > deadline) {
      // Out of time, but the Swarm itself has let go of everything: the node will catch up.
      if (services.trim() === "" && networks.every((id) => unknownToSwarmSince.has(id))) return;
      throw new TargetError("the stack was asked to go but its services or networks are still there", {
        subject: `stack ${stackName}`,
        hint: "look at `docker stack ps` for tasks that do not stop",
      });
    }
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 500));
  }
}

/** How long a network the manager no longer knows may stay listed on the node before it counts as gone. */
export const STALE_NETWORK_GRACE_MS = 30_000;
export const REMOVE_TIMEOUT_MS = 120_000;
