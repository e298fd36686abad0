/** What the run hands the issue tracker, and what it hands back (the interface fixed in issue 10). */
import type { SecretMasker } from "../../report/mask.js";
import type { IssueTrackerConfig } from "./config.js";

/** One failure of a target, as the issue shows it. */
export interface TargetFailure {
  /** The stack/release; absent for a failure of the whole target. */
  item?: { kind: string; name: string };
  /** Already stable (fingerprint.ts's stableCause) and masked. */
  cause: string;
  /** fingerprint.ts's failureFingerprint: equal for the same failure seen on two runs. */
  fingerprint: string;
}

export interface IssueSyncRequest {
  config: IssueTrackerConfig;
  target: string;
  /** Empty: the target is healthy. */
  failures: TargetFailure[];
  /** The source or the target could not be reached: nothing is known, so the issue is left as it is (`none`, no request). */
  unavailable?: "source" | "target";
  commit?: { sha: string; url?: string };
  jobUrl?: string;
  env: NodeJS.ProcessEnv;
  masker: SecretMasker;
  /** Says what was done to an issue; errors come back in the result, for the caller to warn about. */
  log: { info(line: string): void };
  /** Per API request; default DEFAULT_HTTP_TIMEOUT_MS. */
  timeoutMs?: number;
}

export type IssueSyncAction = "opened" | "commented" | "closed" | "unchanged" | "none";

export interface IssueSyncResult {
  action: IssueSyncAction;
  /** The issue's web page, when there is one. */
  url?: string;
  /** Why nothing could be done, with what to do about it (masked). */
  error?: string;
}
