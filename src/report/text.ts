/** One line per item and action, the form a person scans in a CI log. */
import type { Action, ChangeSet, ChangeSetEntry } from "../model/changeset.js";
import type { RunMode } from "../pipeline/commands.js";

const WOULD: Partial<Record<Action, string>> = {
  created: "would create",
  configured: "would update",
  deleted: "would delete",
  unchanged: "unchanged",
  skipped: "skipped",
  failed: "failed",
};

export function formatEntry(entry: ChangeSetEntry, mode: RunMode): string {
  const verb = mode === "plan" ? (WOULD[entry.action] ?? entry.action) : entry.action;
  const timing = entry.durationMs === undefined ? "" : ` in ${(entry.durationMs / 1000).toFixed(1)}s`;
  return `[${entry.target}] ${entry.kind} ${entry.name}: ${verb}${timing} — ${entry.reason}`;
}

export function summarize(set: ChangeSet): string {
  const counts = new Map<Action, number>();
  for (const entry of set.entries) counts.set(entry.action, (counts.get(entry.action) ?? 0) + 1);
  if (counts.size === 0) return "nothing to do";
  return [...counts.entries()].map(([action, count]) => `${count} ${action}`).join(", ");
}
