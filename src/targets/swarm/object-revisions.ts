/**
 * Old revisions of the content-named configs and secrets croncd created. Swarm never removes them
 * (`docker stack deploy --prune` only prunes services), so each change would leave one behind.
 * Once a stack's rollout has converged, the ones no service of the stack uses any more are
 * removed, keeping the newest few so a `docker service rollback` still finds its objects.
 */
import type { DockerCli } from "../../ports/docker.js";
import { LABELS, MANAGED_BY_VALUE, STACK_NAMESPACE_LABEL } from "./labels.js";

interface SwarmObject {
  ID: string;
  CreatedAt: string;
  Spec: { Name: string };
}

interface ServiceReferences {
  Spec: {
    TaskTemplate: {
      ContainerSpec?: {
        Configs?: { ConfigName?: string }[] | null;
        Secrets?: { SecretName?: string }[] | null;
      };
    };
  };
}

const REVISION_SUFFIX = /-[0-9a-f]{12}$/;

/** Removes unused revisions beyond `keep` per config/secret; returns what was removed. */
export async function removeOldRevisions(docker: DockerCli, stack: string, keep: number): Promise<string[]> {
  const inUse = await namesInUse(docker, stack);
  const removed: string[] = [];
  for (const kind of ["config", "secret"] as const) {
    const ids = (
      await docker.run([
        kind,
        "ls",
        "--quiet",
        "--filter",
        `label=${STACK_NAMESPACE_LABEL}=${stack}`,
        "--filter",
        `label=${LABELS.managedBy}=${MANAGED_BY_VALUE}`,
      ])
    )
      .split("\n")
      .filter((id) => id.trim() !== "");
    if (ids.length === 0) continue;
    const objects = JSON.parse(await docker.run([kind, "inspect", ...ids])) as SwarmObject[];
    const doomed = revisionsToRemove(
      objects.filter((object) => !inUse.has(object.Spec.Name)),
      keep,
    );
    if (doomed.length === 0) continue;
    await docker.run([kind, "rm", ...doomed]);
    removed.push(...doomed);
  }
  return removed;
}

/** Per base name, the unused revisions older than the `keep` newest ones. */
export function revisionsToRemove(unused: readonly SwarmObject[], keep: number): string[] {
  const byBase = new Map<string, SwarmObject[]>();
  for (const object of unused) {
    if (!REVISION_SUFFIX.test(object.Spec.Name)) continue;
    const base = object.Spec.Name.replace(REVISION_SUFFIX, "");
    byBase.set(base, [...(byBase.get(base) ?? []), object]);
  }
  return [...byBase.values()].flatMap((revisions) =>
    revisions
      .sort((a, b) => Date.parse(b.CreatedAt) - Date.parse(a.CreatedAt))
      .slice(keep)
      .map((object) => object.Spec.Name),
  );
}

async function namesInUse(docker: DockerCli, stack: string): Promise<Set<string>> {
  const ids = (
    await docker.run(["service", "ls", "--quiet", "--filter", `label=${STACK_NAMESPACE_LABEL}=${stack}`])
  )
    .split("\n")
    .filter((id) => id.trim() !== "");
  if (ids.length === 0) return new Set();
  const services = JSON.parse(await docker.run(["service", "inspect", ...ids])) as ServiceReferences[];
  const names = new Set<string>();
  for (const service of services) {
    const spec = service.Spec.TaskTemplate.ContainerSpec;
    for (const config of spec?.Configs ?? []) if (config.ConfigName) names.add(config.ConfigName);
    for (const secret of spec?.Secrets ?? []) if (secret.SecretName) names.add(secret.SecretName);
  }
  return names;
}
