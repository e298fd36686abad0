/**
 * Reads the live state of a Swarm in one request — every service with its spec — whatever the
 * number of stacks. The specs are as stored: unlike `docker service inspect`, the list endpoint
 * does not fill in defaults (update, rollback and restart policies, stop grace period), none of
 * which drift compares.
 */
import type { DockerCli } from "../../ports/docker.js";
import { TargetError } from "../../errors.js";
import { STACK_NAMESPACE_LABEL } from "./labels.js";
import type { LiveStack } from "./model.js";

/** A service as the Engine API returns it; only the parts croncd reads are typed. */
export interface InspectedService {
  ID: string;
  Spec: { Name: string; Labels?: Record<string, string> | null } & Record<string, unknown>;
  PreviousSpec?: Record<string, unknown>;
}

/** Every service of the Swarm (`GET /services`), in one call. */
export async function readAllServices(
  docker: DockerCli,
  subject: string,
  signal?: AbortSignal,
): Promise<InspectedService[]> {
  const services = await docker.getJson("/services", { subject, ...(signal ? { signal } : {}) });
  if (!Array.isArray(services) || !services.every(isService)) {
    throw new TargetError("the Docker API did not return a list of services for GET /services", { subject });
  }
  return services;
}

export async function readLiveStacks(
  docker: DockerCli,
  subject: string,
  signal?: AbortSignal,
): Promise<Map<string, LiveStack>> {
  const stacks = new Map<string, LiveStack>();
  for (const service of await readAllServices(docker, `${subject}: read services`, signal)) {
    const labels = service.Spec.Labels ?? {};
    const stack = labels[STACK_NAMESPACE_LABEL];
    if (!stack) continue;
    const entry = stacks.get(stack) ?? { name: stack, services: [] };
    entry.services.push({ id: service.ID, name: service.Spec.Name, stack, labels, spec: service.Spec });
    stacks.set(stack, entry);
  }
  return stacks;
}

function isService(value: unknown): value is InspectedService {
  if (typeof value !== "object" || value === null) return false;
  const { ID, Spec } = value as Partial<InspectedService>;
  return typeof ID === "string" && typeof Spec === "object" && Spec !== null && typeof Spec.Name === "string";
}
