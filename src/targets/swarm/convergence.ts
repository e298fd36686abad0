/**
 * Whether a stack's rollout has settled: every service finished its update (or never had one)
 * and runs as many tasks as it wants. Read in two docker calls per look, whatever the number of
 * services.
 */
import type { DockerCli } from "../../ports/docker.js";
import { STACK_NAMESPACE_LABEL } from "./labels.js";

interface ListedService {
  Name: string;
  Replicas: string;
}

interface InspectedUpdate {
  Spec: { Name: string };
  UpdateStatus?: { State?: string; Message?: string } | null;
}

export interface ConvergenceState {
  converged: boolean;
  /** What is still moving, for a person: `web_app 1/2`, `web_db update: rollback_started`. */
  pending: string[];
}

/** Update states after which the service will not move on by itself. */
const SETTLED_UPDATE_STATES = new Set(["completed", "rollback_completed", "paused", "rollback_paused"]);

export async function readConvergence(docker: DockerCli, stack: string): Promise<ConvergenceState> {
  const filter = `label=${STACK_NAMESPACE_LABEL}=${stack}`;
  const listed = (await docker.run(["service", "ls", "--filter", filter, "--format", "{{json .}}"]))
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as ListedService);
  if (listed.length === 0) return { converged: true, pending: [] };
  const inspected = JSON.parse(
    await docker.run(["service", "inspect", ...listed.map((service) => service.Name)]),
  ) as InspectedUpdate[];
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
  const job = /\((\d+)\/(\d+) completed\)/.exec(replicas);
  if (job) return job[1] === job[2];
  const running = /^(\d+)\/(\d+)/.exec(replicas);
  return running !== null && running[1] === running[2];
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
