/**
 * croncd's bookkeeping on Swarm services. These go into service-level `deploy.labels` only:
 * labels on the task template (container labels) would restart every task when they change.
 * The Swarm itself is croncd's only memory between CI jobs.
 */
import type { Suspension } from "../../model/suspension.js";

export const LABELS = {
  managedBy: "io.croncd.managed-by",
  target: "io.croncd.target",
  source: "io.croncd.source",
  commit: "io.croncd.commit",
  desiredHash: "io.croncd.desired-hash",
  /** "false" when the stack opted out of pruning (x-croncd.prune: false). */
  prune: "io.croncd.prune",
} as const;

/**
 * Set by `croncd suspend` on every service of a stack, removed by `croncd resume`: who, when, why.
 * Service-level labels, changed through the Engine API alone, so suspending restarts no task.
 */
export const SUSPENSION_LABELS = {
  by: "io.croncd.suspended-by",
  at: "io.croncd.suspended-at",
  reason: "io.croncd.suspended-reason",
} as const;

export const MANAGED_BY_VALUE = "croncd";

/** The labels that mark a service suspended; none when `suspension` is undefined (resume). */
export function suspensionLabels(suspension: Suspension): Record<string, string> {
  return {
    [SUSPENSION_LABELS.by]: suspension.by,
    ...(suspension.at ? { [SUSPENSION_LABELS.at]: suspension.at } : {}),
    ...(suspension.reason ? { [SUSPENSION_LABELS.reason]: suspension.reason } : {}),
  };
}

/** The suspension a service's labels record, if any. */
export function readSuspension(labels: Record<string, string>): Suspension | undefined {
  const by = labels[SUSPENSION_LABELS.by];
  if (by === undefined) return undefined;
  const at = labels[SUSPENSION_LABELS.at];
  const reason = labels[SUSPENSION_LABELS.reason];
  return { by, ...(at ? { at } : {}), ...(reason ? { reason } : {}) };
}

/** Set by `docker stack deploy` on every object of a stack. */
export const STACK_NAMESPACE_LABEL = "com.docker.stack.namespace";
/** Set by `docker stack deploy` on a service: the image it deployed last, as the compose file named it. */
export const STACK_IMAGE_LABEL = "com.docker.stack.image";

export interface OwnershipLabels {
  target: string;
  sourceUrl: string;
  commit: string;
  desiredHash: string;
  prune: boolean;
}

export function ownershipLabels(owner: OwnershipLabels): Record<string, string> {
  return {
    [LABELS.managedBy]: MANAGED_BY_VALUE,
    [LABELS.target]: owner.target,
    [LABELS.source]: owner.sourceUrl,
    [LABELS.commit]: owner.commit,
    [LABELS.desiredHash]: owner.desiredHash,
    ...(owner.prune ? {} : { [LABELS.prune]: "false" }),
  };
}

export function isManaged(labels: Record<string, string>): boolean {
  return labels[LABELS.managedBy] === MANAGED_BY_VALUE;
}
