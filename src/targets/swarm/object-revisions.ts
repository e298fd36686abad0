/**
 * Old revisions of the content-named configs and secrets croncd created. Swarm never removes them
 * (`docker stack deploy --prune` only prunes services), so each change would leave one behind.
 * Once a stack's rollout has converged, the ones no service of the stack uses any more are
 * removed, keeping the newest few so a `docker service rollback` still finds its objects.
 */
import { TargetError } from "../../errors.js";
import type { DockerCli } from "../../ports/docker.js";
import { readAllServices } from "./live.js";
import { LABELS, MANAGED_BY_VALUE, STACK_NAMESPACE_LABEL } from "./labels.js";

interface SwarmObject {
  ID: string;
  CreatedAt: string;
  Spec: { Name: string };
}

interface ReferencingSpec {
  TaskTemplate?: {
    ContainerSpec?: {
      Configs?: { ConfigName?: string }[] | null;
      Secrets?: { SecretName?: string }[] | null;
    };
  };
}

interface ServiceReferences {
  Spec: ReferencingSpec;
  /** What `docker service rollback` (or an automatic rollback) would return to. */
  PreviousSpec?: ReferencingSpec | null;
}

export interface RevisionCleanup {
  removed: string[];
  /** Objects that could not be removed, with docker's reason; left for a later run. */
  kept: string[];
}

const REVISION_SUFFIX = /-[0-9a-f]{12}$/;

/**
 * Removes unused revisions beyond `keep` per config/secret. "Unused" is judged against every
 * service of the Swarm, current and previous spec, so neither another stack that names the same
 * object nor a rollback target is touched. A removal docker refuses is reported, not thrown: the
 * deploy itself succeeded.
 */
export async function removeOldRevisions(
  docker: DockerCli,
  stack: string,
  keep: number,
): Promise<RevisionCleanup> {
  // Revisions are kept so a rollback finds them: with none to keep, a previous spec protects nothing.
  const inUse = await namesInUse(docker, keep > 0);
  const result: RevisionCleanup = { removed: [], kept: [] };
  for (const kind of ["config", "secret"] as const) {
    const filters = JSON.stringify({
      label: [`${STACK_NAMESPACE_LABEL}=${stack}`, `${LABELS.managedBy}=${MANAGED_BY_VALUE}`],
    });
    const objects = await docker.getJson(`/${kind}s?filters=${encodeURIComponent(filters)}`, {
      subject: `stack ${stack}: list ${kind}s`,
    });
    if (!Array.isArray(objects))
      throw new TargetError(`GET /${kind}s did not return a list`, { subject: stack });
    const doomed = revisionsToRemove(
      (objects as SwarmObject[]).filter((object) => !inUse.has(object.Spec.Name)),
      keep,
    );
    for (const name of doomed) {
      const removal = await docker.tryRun([kind, "rm", name]);
      if (removal.exitCode === 0) result.removed.push(name);
      else result.kept.push(`${name} (${removal.stderr.trim()})`);
    }
  }
  return result;
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

async function namesInUse(docker: DockerCli, includePrevious: boolean): Promise<Set<string>> {
  const services = (await readAllServices(docker, "read services")) as unknown as ServiceReferences[];
  const names = new Set<string>();
  for (const service of services) {
    for (const spec of includePrevious ? [service.Spec, service.PreviousSpec] : [service.Spec]) {
      const container = spec?.TaskTemplate?.ContainerSpec;
      for (const config of container?.Configs ?? []) if (config.ConfigName) names.add(config.ConfigName);
      for (const secret of container?.Secrets ?? []) if (secret.SecretName) names.add(secret.SecretName);
    }
  }
  return names;
}
