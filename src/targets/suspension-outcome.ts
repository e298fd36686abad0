/**
 * What `croncd suspend` / `croncd resume` of one item does and says, worded alike for every
 * target type; the target only marks or unmarks the item when the outcome is a change.
 */
import type { ChangeSetEntry } from "../model/changeset.js";
import { describeSuspension, type Suspension } from "../model/suspension.js";

export interface SuspendedItem {
  /** How the command line names it: `--stack web`, `--release team-a/web`. */
  commandLine: string;
  /** What suspends it from git, which `croncd resume` cannot lift: `x-croncd.suspend`. */
  gitSwitch: string;
}

export function suspensionOutcome(
  item: SuspendedItem,
  /** Asked for: a suspension, or undefined to resume. */
  wanted: Suspension | undefined,
  /** The item's suspension as read, if any. */
  current: Suspension | undefined,
): Pick<ChangeSetEntry, "action" | "reason"> {
  if (wanted) {
    return {
      action: "configured",
      reason: `${describeSuspension(wanted)}; croncd leaves it as it runs until croncd resume ${item.commandLine}`,
    };
  }
  if (!current) return { action: "skipped", reason: "not suspended; nothing to resume" };
  return {
    action: "configured",
    reason: `resumed (was ${describeSuspension(current)}); the next reconcile deploys and heals it again, unless ${item.gitSwitch} in git says otherwise`,
  };
}
