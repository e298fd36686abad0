/**
 * An item an operator (or git) told croncd to leave alone: during an incident, nothing croncd does
 * may undo a hand-made fix. The mark lives in the target itself (a label, a record), because a
 * scheduled job keeps no state of its own.
 */
export interface Suspension {
  /** Who asked: a CI job's user and URL, `user@host`, or `git` for a suspend written in git. */
  by: string;
  /** When, as an ISO 8601 time; absent for a suspend from git (the commit says when). */
  at?: string;
  reason?: string;
}

/** How a report names a suspension: `suspended by alice at 2026-…: disk full on node 3`. */
export function describeSuspension(suspension: Suspension): string {
  const when = suspension.at ? ` at ${suspension.at}` : "";
  const why = suspension.reason ? `: ${suspension.reason}` : "";
  return `suspended by ${suspension.by}${when}${why}`;
}
