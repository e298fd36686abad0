// A plan report as croncd writes it, for the plan comment's tests.
import type { ChangeSetEntry } from "../../../src/model/changeset.js";
import type { RunReport } from "../../../src/report/json-report.js";

export function planReport(entries: ChangeSetEntry[]): RunReport {
  return {
    version: 1,
    command: "plan",
    dryRun: true,
    startedAt: "2026-01-01T00:00:00Z",
    finishedAt: "2026-01-01T00:00:05Z",
    exitCode: 2,
    sources: [],
    entries,
  };
}

/** `count` stacks of target prod, each with `action` and, when given, the same details. */
export function stackEntries(
  count: number,
  action: ChangeSetEntry["action"],
  details: string[] = [],
): ChangeSetEntry[] {
  return Array.from({ length: count }, (_, i) => ({
    kind: "stack" as const,
    name: `stack-${i}`,
    target: "prod",
    action,
    reason: action === "created" ? "new in git" : "desired state changed",
    ...(details.length > 0 ? { details } : {}),
  }));
}
