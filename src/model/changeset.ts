/**
 * The closed vocabulary every stage reports in. Reports only render ChangeSets; no stage prints.
 */
import type { Suspension } from "./suspension.js";

export const ACTIONS = ["created", "configured", "unchanged", "deleted", "skipped", "failed"] as const;
export type Action = (typeof ACTIONS)[number];

/**
 * What an entry is about: an item a target deploys (`stack`, `release`), or a whole source,
 * target or run that failed before its items could be reported one by one.
 */
export const KINDS = ["stack", "release", "source", "target", "run"] as const;
export type Kind = (typeof KINDS)[number];
/** The kinds a target deploys; each target reports its items under one of them. */
export type ItemKind = Extract<Kind, "stack" | "release">;

export interface ChangeSetEntry {
  kind: Kind;
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
  /**
   * Where in the source the cause sits, when croncd knows it: a path relative to the source's
   * checkout (the config repository) and a 1-based line. CI annotations point there.
   */
  location?: SourceLocation;
  /**
   * A `failed` entry whose cause is that the source's git server or the target's daemon / API
   * could not be reached: nothing about the items is known, and nothing was pruned.
   */
  unavailable?: Unavailable;
  /** The item is suspended (croncd suspend, x-croncd.suspend): left alone, and named in every summary. */
  suspended?: Suspension;
}

/** What could not be reached. */
export type Unavailable = "source" | "target";

export interface SourceLocation {
  file: string;
  line?: number;
}

/** The optional fields of an entry; undefined ones are left out, so reports hold no `null`s. */
export type EntryExtras = Partial<
  Pick<ChangeSetEntry, "durationMs" | "drift" | "details" | "location" | "unavailable" | "suspended">
>;

/**
 * The one way entries are made, so every stage spells them alike (JSON reports compare field by
 * field, and an explicit `undefined` would differ from a missing field).
 */
export function changeEntry(
  subject: { kind: Kind; name: string; target: string },
  action: Action,
  reason: string,
  extras: EntryExtras = {},
): ChangeSetEntry {
  return {
    kind: subject.kind,
    name: subject.name,
    target: subject.target,
    action,
    reason,
    ...(extras.durationMs === undefined ? {} : { durationMs: extras.durationMs }),
    ...(extras.drift ? { drift: true } : {}),
    ...(extras.details && extras.details.length > 0 ? { details: extras.details } : {}),
    ...(extras.location ? { location: extras.location } : {}),
    ...(extras.unavailable ? { unavailable: extras.unavailable } : {}),
    ...(extras.suspended ? { suspended: extras.suspended } : {}),
  };
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

/** Failures a person must fix, as opposed to a server that could not be reached (see `unavailable`). */
export function hasRealFailures(set: ChangeSet): boolean {
  return set.entries.some((entry) => entry.action === "failed" && !entry.unavailable);
}

export function hasUnavailable(set: ChangeSet): boolean {
  return set.entries.some((entry) => entry.unavailable !== undefined);
}

/** True when anything was (or in a plan: would be) created, changed or deleted. */
export function hasChanges(set: ChangeSet): boolean {
  return set.entries.some((entry) => ["created", "configured", "deleted"].includes(entry.action));
}
