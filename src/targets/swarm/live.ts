/**
 * Reads the live state of a Swarm in a constant number of docker calls — the list of services and
 * one inspect of all of them — whatever the number of stacks.
 */
import type { DockerCli } from "../../ports/docker.js";
import { TargetError } from "../../errors.js";
import { STACK_NAMESPACE_LABEL } from "./labels.js";
import type { LiveService, LiveStack } from "./model.js";

interface InspectedService {
  ID: string;
  Spec: { Name: string; Labels?: Record<string, string> | null } & Record<string, unknown>;
}

export async function readLiveStacks(docker: DockerCli, subject: string): Promise<Map<string, LiveStack>> {
  const ids = (await docker.run(["service", "ls", "--quiet"], { subject: `${subject}: list services` }))
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean);
  const stacks = new Map<string, LiveStack>();
  if (ids.length === 0) return stacks;
  const raw = await docker.run(["service", "inspect", ...ids], { subject: `${subject}: inspect services` });
  for (const service of parseInspect(raw, subject)) {
    const stack = service.labels[STACK_NAMESPACE_LABEL];
    if (!stack) continue;
    const entry = stacks.get(stack) ?? { name: stack, services: [] };
    entry.services.push(service);
    stacks.set(stack, entry);
  }
  return stacks;
}

function parseInspect(raw: string, subject: string): LiveService[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (error) {
    throw new TargetError("docker service inspect returned output that is not JSON", {
      subject,
      cause: error,
    });
  }
  if (!Array.isArray(parsed))
    throw new TargetError("docker service inspect did not return a list", { subject });
  return (parsed as InspectedService[]).map((service) => {
    const labels = service.Spec.Labels ?? {};
    return {
      id: service.ID,
      name: service.Spec.Name,
      stack: labels[STACK_NAMESPACE_LABEL] ?? "",
      labels,
      spec: service.Spec,
    };
  });
}
