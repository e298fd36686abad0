/**
 * One stack's way out to the Swarm: deploy, watch the rollout until it converged or failed, and
 * once it converged, remove the config/secret revisions no service uses any more.
 */
import type { SwarmTargetConfig } from "../../config/schema.js";
import { describeError } from "../../errors.js";
import type { ChangeSetEntry } from "../../model/changeset.js";
import type { DockerCli } from "../../ports/docker.js";
import { deployStack } from "./deploy.js";
import type { DesiredStack } from "./model.js";
import { removeOldRevisions } from "./object-revisions.js";
import { waitForRollout } from "./rollout.js";

export type Delivered = Pick<ChangeSetEntry, "action" | "reason" | "durationMs">;

export async function deliverStack(
  docker: DockerCli,
  desired: DesiredStack,
  planned: { action: "create" | "update"; reason: string },
  config: Pick<SwarmTargetConfig, "resolveImage" | "withRegistryAuth" | "keepRevisions">,
): Promise<Delivered> {
  const started = Date.now();
  const elapsed = () => Date.now() - started;
  try {
    await deployStack(docker, desired, config);
    const rollout = await waitForRollout(docker, desired.name, {
      timeoutMs: desired.options.timeoutSeconds * 1000,
      since: new Date(started),
    });
    if (!rollout.ok)
      return { action: "failed", reason: `rollout failed: ${rollout.reason}`, durationMs: elapsed() };
    const cleanup =
      desired.revisionedObjects > 0
        ? await removeOldRevisions(docker, desired.name, config.keepRevisions)
        : { removed: [], kept: [] };
    const notes = [
      planned.reason,
      rollout.reason,
      ...(cleanup.removed.length > 0 ? [`removed unused ${cleanup.removed.join(", ")}`] : []),
      ...(cleanup.kept.length > 0 ? [`could not remove ${cleanup.kept.join(", ")}`] : []),
    ];
    return {
      action: planned.action === "create" ? "created" : "configured",
      reason: notes.join("; "),
      durationMs: elapsed(),
    };
  } catch (error) {
    return { action: "failed", reason: describeError(error), durationMs: elapsed() };
  }
}
