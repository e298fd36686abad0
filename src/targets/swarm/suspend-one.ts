/**
 * `croncd suspend --stack NAME` / `croncd resume --stack NAME`: marks (or unmarks) every service of
 * one stack croncd owns with who suspended it, when and why. Only service-level labels change,
 * through `POST /services/{id}/update` with the version read: the task template is sent back as
 * it was, so Swarm restarts no task, and a service changed meanwhile refuses the update instead
 * of losing that change.
 */
import { describeError, TargetError } from "../../errors.js";
import { changeEntry, type ChangeSetEntry } from "../../model/changeset.js";
import { createDockerCli, type DockerCli } from "../../ports/docker.js";
import type { SuspendOneRequest } from "../registry.js";
import { suspensionOutcome } from "../suspension-outcome.js";
import type { SwarmTargetConfig } from "./config.js";
import { suspensionLabels, SUSPENSION_LABELS } from "./labels.js";
import type { LiveService } from "./model.js";
import { findOwnedStack } from "./owned-stack.js";
import { stackSuspension } from "./plan.js";

export async function setStackSuspension(
  target: SwarmTargetConfig,
  request: SuspendOneRequest,
  docker: DockerCli = createDockerCli(target.docker),
): Promise<ChangeSetEntry> {
  const { suspension } = request;
  const make = (action: ChangeSetEntry["action"], reason: string) =>
    changeEntry({ kind: "stack", name: request.name, target: target.name }, action, reason, {
      ...(suspension && action !== "failed" ? { suspended: suspension } : {}),
    });
  try {
    const lookup = await findOwnedStack(
      docker,
      target.name,
      request.name,
      suspension ? "suspends" : "resumes",
    );
    if ("refusal" in lookup) return make("failed", lookup.refusal);
    const outcome = suspensionOutcome(
      { commandLine: `--stack ${request.name}`, gitSwitch: "x-croncd.suspend" },
      suspension,
      stackSuspension(lookup.stack),
    );
    if (outcome.action !== "skipped") {
      for (const service of lookup.stack.services) {
        await relabel(docker, service, suspension ? suspensionLabels(suspension) : {});
      }
    }
    return make(outcome.action, outcome.reason);
  } catch (error) {
    return make("failed", describeError(error));
  }
}

/** Replaces the service's suspension labels with `marks`, changing nothing else of its spec. */
async function relabel(
  docker: DockerCli,
  service: LiveService,
  marks: Record<string, string>,
): Promise<void> {
  const subject = `service ${service.name}`;
  if (service.version === undefined) {
    throw new TargetError("update of labels impossible: the Docker API gave no service version", { subject });
  }
  const suspensionKeys = new Set<string>(Object.values(SUSPENSION_LABELS));
  const labels = {
    ...Object.fromEntries(Object.entries(service.labels).filter(([key]) => !suspensionKeys.has(key))),
    ...marks,
  };
  const answer = await docker.tryRequest(
    {
      method: "POST",
      path: `/services/${encodeURIComponent(service.id)}/update?version=${service.version}`,
      body: { ...service.spec, Labels: labels },
    },
    { subject },
  );
  if (answer.status < 200 || answer.status > 299) {
    throw new TargetError(`update of labels failed: ${answer.message}`, { subject });
  }
}
