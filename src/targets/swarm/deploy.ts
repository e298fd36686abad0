/**
 * `docker stack deploy` of one rendered stack. The document goes in on stdin, so no rendered file
 * (which may hold decrypted values) is ever written, and the command runs in the stack's folder so
 * relative file references resolve as they do for a person running it by hand.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { SwarmTargetConfig } from "./config.js";
import { dockerFailure, type DockerCli } from "../../ports/docker.js";
import { describeError, TargetError } from "../../errors.js";
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

/**
 * Waits between deploys of a stack that failed because a network it found vanished under it: the
 * network of an earlier stack of the same name that Docker was still removing (`docker stack rm`
 * just before the run). docker stack deploy saw it, did not create it, and the service create then
 * found it gone; a moment later the deploy creates it afresh.
 */
export const VANISHED_NETWORK_RETRY_DELAYS_MS = [2_000, 4_000, 8_000] as const;

export async function deployStack(
  docker: DockerCli,
  stack: DesiredStack,
  options: DeployOptions,
  retryDelaysMs: readonly number[] = VANISHED_NETWORK_RETRY_DELAYS_MS,
): Promise<void> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      await docker.run(deployArguments(stack.name, options), {
        input: stack.yaml,
        cwd: stack.dir,
        subject: `stack ${stack.name}: deploy failed`,
        deploy: true,
      });
      return;
    } catch (error) {
      const delay = retryDelaysMs[attempt];
      if (delay === undefined || !isVanishedNetwork(error)) throw error;
      await sleep(delay);
    }
  }
}

/** `failed to create service web_app: Error response from daemon: network web_default not found`. */
export function isVanishedNetwork(error: unknown): boolean {
  return /\bnetwork \S+ not found\b/i.test(describeError(error));
}

/**
 * Before creating a stack that has no live service: an earlier stack of this name removed by hand
 * or by a prune may still hold networks Docker is tearing down, which `docker stack deploy` would
 * take for existing ones. They are removed (the stack has no service left to use them) and waited
 * for, for up to `timeoutMs`; a network that stays (a container attached by hand) is left to
 * `docker stack deploy`, which uses it as it is.
 */
export async function clearLeftoverNetworks(
  docker: DockerCli,
  stackName: string,
  options: WaitOptions = {},
): Promise<void> {
  await waitUntilGone(docker, stackName, `stack ${stackName}: clear leftovers`, options);
}

export interface WaitOptions {
  timeoutMs?: number;
  pollMs?: number;
  staleNetworkGraceMs?: number;
}

/**
 * `docker stack rm`, then waiting until the stack's services and networks are gone, so "deleted"
 * in the report means gone and a stack re-created later does not collide with its own networks
 * still being torn down. (`--detach=false` would do this, but only on CLIs from 26 on.)
 */
export async function removeStack(
  docker: DockerCli,
  stackName: string,
  options: WaitOptions = {},
): Promise<void> {
  const subject = `stack ${stackName}: remove failed`;
  const removal = await docker.tryRun(["stack", "rm", stackName], { subject });
  // Services go at once, their tasks take a moment: the stack's networks are often still "in use
  // by task" when `docker stack rm` tries them. They are removed below once the tasks are gone.
  if (removal.exitCode !== 0 && !/is in use by task|failed to remove some resources/i.test(removal.stderr)) {
    throw dockerFailure(removal, subject);
  }
  if (!(await waitUntilGone(docker, stackName, subject, options))) {
    throw new TargetError("the stack was asked to go but its services or networks are still there", {
      subject: `stack ${stackName}`,
      hint: "look at `docker stack ps` for tasks that do not stop",
    });
  }
}

/**
 * Waits until no service and no network carries the stack's namespace label, removing its
 * networks once its services are gone. False when time ran out first.
 */
async function waitUntilGone(
  docker: DockerCli,
  stackName: string,
  subject: string,
  options: WaitOptions,
): Promise<boolean> {
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
    if (services.trim() === "" && networks.length === 0) return true;
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
      return services.trim() === "" && networks.every((id) => unknownToSwarmSince.has(id));
    }
    await sleep(options.pollMs ?? 500);
  }
}

/** How long a network the manager no longer knows may stay listed on the node before it counts as gone. */
export const STALE_NETWORK_GRACE_MS = 30_000;
export const REMOVE_TIMEOUT_MS = 120_000;
