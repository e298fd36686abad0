/**
 * Issue alerts: one issue per failing target in a GitLab project or a GitHub repository (see
 * sync.ts for the life of an issue). `syncIssue` never throws: whatever goes wrong — no token, a
 * refusal, a hung API — comes back as `{ action: "none", error }` with what to do, and the
 * deployment's own result stays what the run is about.
 */
import { describeError } from "../../errors.js";
import { DEFAULT_HTTP_TIMEOUT_MS, HttpError } from "../../ports/http.js";
import { missingTokenAdvice, refusalAdvice } from "./advice.js";
import type { IssueTrackerConfig } from "./config.js";
import { gitHubIssues } from "./github.js";
import { gitLabIssues } from "./gitlab.js";
import { syncWithTracker } from "./sync.js";
import type { IssueTracker } from "./tracker.js";
import type { IssueSyncRequest, IssueSyncResult } from "./types.js";

export type { IssueSyncAction, IssueSyncRequest, IssueSyncResult, TargetFailure } from "./types.js";

export async function syncIssue(request: IssueSyncRequest): Promise<IssueSyncResult> {
  const { masker, log, target } = request;
  const result = await attempt(request).catch(
    // A bug or a client that throws where no HTTP call was made: still never the run's failure.
    (error: unknown): IssueSyncResult => ({ action: "none", error: masker.mask(describeError(error)) }),
  );
  // An error is the caller's to warn about (once, in the log and the report's warnings); what was
  // done to an issue is said here.
  if (!result.error && result.action !== "none" && result.action !== "unchanged")
    log.info(masker.mask(`issue for target ${target} ${result.action}: ${result.url ?? ""}`.trimEnd()));
  return result;
}

async function attempt(request: IssueSyncRequest): Promise<IssueSyncResult> {
  const { config, masker } = request;
  // Nothing is known about the items while the source or the target cannot be reached, and the
  // forge is often the git server that is down: no request at all, so a maintenance window adds no
  // error of its own.
  if (request.unavailable) return { action: "none" };
  const opened = openTracker(config, request.env, request.timeoutMs ?? DEFAULT_HTTP_TIMEOUT_MS);
  if ("error" in opened) return { action: "none", error: masker.mask(opened.error) };
  masker.add(opened.token);
  try {
    return await syncWithTracker(opened.tracker, {
      target: request.target,
      failures: request.failures,
      labels: config.labels,
      ...(request.commit ? { commit: request.commit } : {}),
      ...(request.jobUrl ? { jobUrl: request.jobUrl } : {}),
      mask: (text) => masker.mask(text),
    });
  } catch (error) {
    const advice = error instanceof HttpError ? refusalAdvice(error, config) : undefined;
    const message = `${opened.tracker.description}: ${describeError(error)}`;
    return { action: "none", error: masker.mask(advice ? `${message} (${advice})` : message) };
  }
}

function openTracker(
  config: IssueTrackerConfig,
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
): { tracker: IssueTracker; token: string } | { error: string } {
  if ("gitlab" in config) {
    const token = env[config.gitlab.tokenEnv];
    if (!token) return { error: missingTokenAdvice(config) };
    const apiUrl = config.gitlab.apiUrl ?? env.CI_API_V4_URL;
    if (!apiUrl) {
      return {
        error: "no GitLab API URL: set alerts.issue.gitlab.apiUrl, or run in GitLab CI (CI_API_V4_URL)",
      };
    }
    return { tracker: gitLabIssues(apiUrl, config.gitlab.project, token, timeoutMs), token };
  }
  const token = env[config.github.tokenEnv];
  if (!token) return { error: missingTokenAdvice(config) };
  const apiUrl = config.github.apiUrl ?? env.GITHUB_API_URL ?? "https://api.github.com";
  return { tracker: gitHubIssues(apiUrl, config.github.repository, token, timeoutMs), token };
}
