/**
 * One stack's way out to the Swarm: create the configs/secrets croncd holds in memory, deploy,
 * watch the rollout until it converged or failed, and once it converged, remove the config/secret
 * revisions no service uses any more.
 */
import type { SwarmTargetConfig } from "./config.js";
import { describeError } from "../../errors.js";
import type { ChangeSetEntry } from "../../model/changeset.js";
import type { DockerCli } from "../../ports/docker.js";
import { clearLeftoverNetworks, deployStack, REMOVE_TIMEOUT_MS } from "./deploy.js";
import type { FieldChange } from "./drift.js";
import { STACK_IMAGE_LABEL } from "./labels.js";
import type { DesiredStack, LiveStack } from "./model.js";
import { removeOldRevisions } from "./object-revisions.js";
import { prepareStackObjects } from "./stack-objects.js";
import { waitForRollout } from "./rollout.js";

export type Delivered = Pick<ChangeSetEntry, "action" | "reason" | "durationMs">;

export async function deliverStack(
  docker: DockerCli,
  desired: DesiredStack,
  planned: {
    action: "create" | "update";
    reason: string;
    changes?: readonly FieldChange[];
    /** The stack as it ran before (update only): which images `docker stack deploy` keeps. */
    live?: LiveStack;
  },
  config: Pick<SwarmTargetConfig, "resolveImage" | "withRegistryAuth" | "keepRevisions">,
  /** Adds the registry's reason to a failure that is a node's failed pull (pull-failure.ts). */
  explainFailure: (reason: string) => Promise<string> = (reason) => Promise.resolve(reason),
): Promise<Delivered> {
  const started = Date.now();
  const elapsed = () => Date.now() - started;
  try {
    await prepareStackObjects(docker, desired.objects);
    // No live service: whatever of an earlier stack of this name Docker is still removing must be
    // gone first, or the deploy finds its networks and they vanish under it.
    if (planned.action === "create") {
      await clearLeftoverNetworks(docker, desired.name, {
        timeoutMs: Math.min(desired.options.timeoutSeconds * 1000, REMOVE_TIMEOUT_MS),
      });
    }
    await deployStack(docker, desired, config);
    await restoreImages(docker, desired, planned, config.resolveImage);
    const rollout = await waitForRollout(docker, desired.name, {
      timeoutMs: desired.options.timeoutSeconds * 1000,
      since: new Date(started),
      stableForMs: desired.options.stableForSeconds * 1000,
    });
    if (!rollout.ok) {
      const reason = await explainFailure(rollout.reason);
      return { action: "failed", reason: `rollout failed: ${reason}`, durationMs: elapsed() };
    }
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

/**
 * `docker stack deploy` keeps a service's live image when git's image equals the image it
 * deployed last (its `com.docker.stack.image` label) — unless it resolves images anew. So an
 * image changed by hand (`docker service update --image`) survives a redeploy with
 * `--resolve-image never|changed`, and croncd puts git's image back itself. Only then: an image
 * changed in git is deployed by `docker stack deploy`, and a second write of the service would
 * reset the update status Swarm reports for the rollout being watched.
 */
async function restoreImages(
  docker: DockerCli,
  desired: DesiredStack,
  planned: { changes?: readonly FieldChange[]; live?: LiveStack },
  resolveImage: SwarmTargetConfig["resolveImage"],
): Promise<void> {
  if (resolveImage === "always") return;
  const services = (desired.document.services ?? {}) as Record<string, { image?: unknown }>;
  for (const change of (planned.changes ?? []).filter((candidate) => candidate.field === "image")) {
    const image = services[change.service.slice(desired.name.length + 1)]?.image;
    if (typeof image !== "string") continue;
    const live = planned.live?.services.find((service) => service.name === change.service);
    if (live?.labels[STACK_IMAGE_LABEL] !== image) continue;
    await docker.run(
      [
        "service",
        "update",
        "--detach",
        "--image",
        image,
        ...(resolveImage === "never" ? ["--no-resolve-image"] : []),
        change.service,
      ],
      { subject: `stack ${desired.name}: restore the image of ${change.service}`, deploy: true },
    );
  }
}
