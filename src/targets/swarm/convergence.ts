/**
 * Whether a stack's rollout has settled: every service finished its update (or never had one)
 * and runs as many tasks as it wants. Read in two docker calls per look, whatever the number of
 * services. Settled is not success: a rolled-back or paused update has settled too. To know
 * whether a deploy worked, use `waitForRollout` (rollout.ts).
 */
import type { DockerCli } from "../../ports/docker.js";
import { inspectServices, listStackServices } from "./rollout.js";
import { parseReplicas } from "./rollout-decide.js";

export interface ConvergenceState {
  converged: boolean;
  /** What is still moving, for a person: `web_app 1/2`, `web_db update: rollback_started`. */
  pending: string[];
}

/** Update states after which the service will not move on by itself. */
const SETTLED_UPDATE_STATES = new Set(["completed", "rollback_completed", "paused", "rollback_paused"]);

export async function readConvergence(docker: DockerCli, stack: string): Promise<ConvergenceState> {
  const subject = `stack ${stack}: read convergence`;
  const listed = await listStackServices(docker, stack, subject);
  if (listed.length === 0) return { converged: true, pending: [] };
  const inspected = await inspectServices(
    docker,
    listed.map((service) => service.Name),
    subject,
  );
  const pending: string[] = [];
  for (const service of inspected) {
    const state = service.UpdateStatus?.State;
    if (state && !SETTLED_UPDATE_STATES.has(state)) pending.push(`${service.Spec.Name} update: ${state}`);
  }
  for (const service of listed) {
    if (!replicasSettled(service.Replicas)) pending.push(`${service.Name} ${service.Replicas}`);
  }
  return { converged: pending.length === 0, pending };
}

/** `2/2`, `1/1 (max 1 per node)`, and for jobs `0/1 (1/1 completed)`. */
export function replicasSettled(replicas: string): boolean {
  const parsed = parseReplicas(replicas);
  if (parsed === undefined) return false;
  if (parsed.total !== undefined) return parsed.completed === parsed.total;
  return parsed.running === parsed.desired;
}

export interface WaitOptions {
  timeoutMs: number;
  pollMs?: number;
}

export async function waitForConvergence(
  docker: DockerCli,
  stack: string,
  options: WaitOptions,
): Promise<ConvergenceState> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const state = await readConvergence(docker, stack);
    if (state.converged || Date.now() > deadline) return state;
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 1000));
  }
}
