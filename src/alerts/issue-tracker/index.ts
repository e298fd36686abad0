/**
 * PLACEHOLDER for part I (issue-tracker alerts): the interface the run calls, fixed between the
 * parts. Part I replaces this file; until then no issue is touched.
 */
import type { SecretMasker } from "../../report/mask.js";
import type { Logger } from "../../report/logger.js";
import type { IssueTrackerConfig } from "./config.js";

export interface TargetFailure {
  item?: { kind: string; name: string };
  cause: string;
  fingerprint: string;
}

export interface IssueSyncRequest {
  config: IssueTrackerConfig;
  target: string;
  failures: TargetFailure[];
  unavailable?: "source" | "target";
  commit?: { sha: string; url?: string };
  jobUrl?: string;
  env: NodeJS.ProcessEnv;
  masker: SecretMasker;
  log: Logger;
  timeoutMs?: number;
}

export interface IssueSyncResult {
  action: "opened" | "commented" | "closed" | "unchanged" | "none";
  url?: string;
  error?: string;
}

export function syncIssue(request: IssueSyncRequest): Promise<IssueSyncResult> {
  return Promise.resolve({
    action: "none",
    error: `issue alerts are not built yet (target ${request.target})`,
  });
}
