/**
 * The closed vocabulary every stage reports in. Reports only render ChangeSets; no stage prints.
 */

export const ACTIONS = ["created", "configured", "unchanged", "deleted", "skipped", "failed"] as const;
export type Action = (typeof ACTIONS)[number];

export interface ChangeSetEntry {
  /** `stack`, later `release`, `secret`... */
  kind: string;
  /** The item's name, e.g. the stack name. */
  name: string;
  target: string;
  action: Action;
  /** Why this action: "desired state changed", "left git", the error message... */
  reason: string;
  /** Milliseconds spent on this item, when measured. */
  durationMs?: number;
  /** The live state differed from git without a change in git (edited by hand). */
  drift?: boolean;
  /** What differs, field by field, for a person (already masked when reported). */
  details?: string[];
}

export interface ChangeSet {
  entries: ChangeSetEntry[];
}

export function hasDrift(set: ChangeSet): boolean {
  return set.entries.some((entry) => entry.drift === true);
}

export function hasFailures(set: ChangeSet): boolean {
  return set.entries.some((entry) => entry.action === "failed");
}

/** True when anything was (or in a plan: would be) created, changed or deleted. */
export function hasChanges(set: ChangeSet): boolean {
  return set.entries.some((entry) => ["created", "configured", "deleted"].includes(entry.action));
}
