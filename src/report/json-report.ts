/** `--report FILE`: the run as JSON, for machines and CI artifacts. */
import type { AlertEvent } from "../alerts/event.js";
import type { IssueSyncResult } from "../alerts/issue-tracker/index.js";
import type { NotifierDelivery } from "../alerts/notifiers/index.js";
import type { ChangeSetEntry } from "../model/changeset.js";
import type { RunMode } from "../pipeline/commands.js";
import type { SecretMasker } from "./mask.js";

export interface SourceSummary {
  name: string;
  url: string;
  ref: string;
  commit?: string;
  error?: string;
  durationMs: number;
}

export interface RunReport {
  version: 1;
  command: RunMode | "prune" | "suspend" | "resume";
  /** For plan: entries say what would happen, not what happened. */
  dryRun: boolean;
  startedAt: string;
  finishedAt: string;
  exitCode: number;
  sources: SourceSummary[];
  entries: ChangeSetEntry[];
  /** Things that went wrong beside the run without changing its result (a plan comment not posted). */
  warnings?: string[];
  /** reconcile with `alerts:`: the changes of alert state this run found (none on a quiet run). */
  events?: AlertEvent[];
  /** Where the events went, per notifier. */
  deliveries?: NotifierDelivery[];
  /** What the issue tracker did, per target. */
  issues?: IssueSummary[];
}

/** What the issue tracker did for one target. */
export type IssueSummary = IssueSyncResult & { target: string };

/** Masked value by value before serialising: JSON escaping would hide a secret with `"` or `\` from the masker. */
export function renderJsonReport(report: RunReport, masker: SecretMasker): string {
  return JSON.stringify(masker.maskValues(report), null, 2);
}
