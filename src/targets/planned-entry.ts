/**
 * Turns a plan item into a ChangeSet entry: for `plan` (what would happen) and for the items
 * `apply`/`prune` leave alone (unchanged, skipped, refused).
 */
import { changeEntry, type Action, type ChangeSetEntry, type ItemKind } from "../model/changeset.js";
import type { PlannedItem } from "./target.js";

const PLANNED_TO_ACTION: Record<PlannedItem["action"], Action> = {
  create: "created",
  update: "configured",
  delete: "deleted",
  unchanged: "unchanged",
  unhealthy: "failed",
  converging: "unchanged",
  skip: "skipped",
  refuse: "failed",
};

export function plannedEntry(subject: { kind: ItemKind; target: string }, item: PlannedItem): ChangeSetEntry {
  return changeEntry({ ...subject, name: item.name }, PLANNED_TO_ACTION[item.action], item.reason, {
    ...(item.drift ? { drift: true } : {}),
    ...(item.details ? { details: item.details } : {}),
    ...(item.suspended ? { suspended: item.suspended } : {}),
  });
}
