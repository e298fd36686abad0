/**
 * What croncd tells people: one event per change of an item's alert state (never one per run).
 * Notifiers and issue trackers render these; the JSON report lists them.
 */

export const ALERT_EVENT_KINDS = [
  /** An item became failed. */
  "failed",
  /** An item stays failed, with another cause or at another commit. */
  "failure-changed",
  /** An item is still failed with the same cause after the repeat interval. */
  "reminder",
  /** A failed item is healthy again (sent once). */
  "recovered",
  /** Someone changed production outside git and croncd put it back (or, with --no-heal, found it). */
  "drift",
  /** The git server could not be reached for longer than the grace period. */
  "source-unavailable",
  /** The Docker daemon / Kubernetes API could not be reached for longer than the grace period. */
  "target-unavailable",
] as const;
export type AlertEventKind = (typeof ALERT_EVENT_KINDS)[number];

export const SEVERITIES = ["info", "warning", "error"] as const;
export type Severity = (typeof SEVERITIES)[number];

export interface AlertEvent {
  kind: AlertEventKind;
  severity: Severity;
  target: string;
  /** The stack/release; absent for events about a whole target or source. */
  item?: { kind: string; name: string };
  /** The service (Swarm) or resource the cause names, when known. */
  service?: string;
  /** The cause, masked and without volatile parts (see fingerprint.ts's stableCause). */
  cause?: string;
  /** drift: what differed, field by field (masked). */
  details?: string[];
  /** The source commit; `url` links to it when the source URL is a known forge's. */
  commit?: { sha: string; url?: string };
  /** The CI job that saw it (CI_JOB_URL, or the GitHub run URL). */
  jobUrl?: string;
  /** failed / failure-changed / reminder: the failure's fingerprint (fingerprint.ts). */
  fingerprint?: string;
}
