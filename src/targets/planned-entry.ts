/**
 * Turns a plan item into a ChangeSet entry: for `plan` (what would happen) and for the items
 * `apply`/`prune` leave alone (unchanged, skipped, refused).
 */
import type { Action, ChangeSetEntry } from "../model/changeset.js";
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

export function plannedEntry(
  makeEntry: (name: string, fields: Pick<ChangeSetEntry, "action" | "reason">) => ChangeSetEntry,
  item: PlannedItem,
): ChangeSetEntry {
  return makeEntry(item.name, { action: PLANNED_TO_ACTION[item.action], reason: item.reason });
}
