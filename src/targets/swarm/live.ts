/**
 * Reads the live state of a Swarm in a constant number of docker calls — the list of services and
 * one inspect of all of them — whatever the number of stacks.
 */
import { dockerFailure, type DockerCli } from "../../ports/docker.js";
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
  const raw = await inspectExisting(docker, ids, `${subject}: inspect services`);
  for (const service of parseInspect(raw, subject)) {
    const stack = service.labels[STACK_NAMESPACE_LABEL];
    if (!stack) continue;
    const entry = stacks.get(stack) ?? { name: stack, services: [] };
    entry.services.push(service);
    stacks.set(stack, entry);
  }
  return stacks;
}

/**
 * `docker service inspect` of services that may vanish meanwhile (another stack being removed):
 * docker prints the ones it found and fails for the rest, which is no failure of ours.
 */
export async function inspectExisting(
  docker: DockerCli,
  ids: readonly string[],
  subject: string,
): Promise<string> {
  const result = await docker.tryRun(["service", "inspect", ...ids], { subject });
  if (result.exitCode === 0) return result.stdout;
  const otherProblems = result.stderr
    .split("\n")
    .filter((line) => line.trim() !== "" && !/no such service/i.test(line));
  if (otherProblems.length > 0 || result.stdout.trim() === "") {
    if (otherProblems.length === 0) return "[]";
    throw dockerFailure(result, subject);
  }
  return result.stdout;
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
