/**
 * The reminder every run's summary carries while items are suspended: a suspend made during an
 * incident is easy to forget, and a forgotten one silently stops deploying that item.
 */
import type { ChangeSetEntry } from "../model/changeset.js";
import { describeSuspension } from "../model/suspension.js";

/** One line per suspended item of the run, for a person; empty when none is suspended. */
export function suspendedItems(entries: readonly ChangeSetEntry[]): string[] {
  return entries.flatMap((entry) =>
    entry.suspended
      ? [`${entry.kind} ${entry.name} (target ${entry.target}): ${describeSuspension(entry.suspended)}`]
      : [],
  );
}

/** Said after a run's end line: what is suspended, and how to undo it. */
export function suspendedReminder(entries: readonly ChangeSetEntry[]): string | undefined {
  const items = suspendedItems(entries);
  if (items.length === 0) return undefined;
  return `suspended, left alone until croncd resume: ${items.join("; ")}`;
}
