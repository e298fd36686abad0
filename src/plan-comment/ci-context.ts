/**
 * Where the plan comment goes, read from the CI job's environment: the merge request of a GitLab
 * merge-request pipeline, or the pull request of a GitHub Actions run. Anything else is a reason
 * not to post (a warning), never a failure.
 */
import { readFileSync } from "node:fs";
import { ciJobUrl } from "../util/ci-job-url.js";

export const DEFAULT_GITLAB_TOKEN_ENV = "CRONCD_GITLAB_TOKEN";
export const DEFAULT_GITHUB_TOKEN_ENV = "GITHUB_TOKEN";

interface PlaceCommon {
  /** The env variable the token is read from. */
  tokenEnv: string;
  /** Undefined when that variable is empty or unset. */
  token: string | undefined;
  commit?: string;
  jobUrl?: string;
}

export interface GitLabPlace extends PlaceCommon {
  platform: "gitlab";
  /** CI_API_V4_URL, e.g. https://gitlab.example.com/api/v4 */
  apiUrl: string;
  projectId: string;
  mergeRequestIid: number;
}

export interface GitHubPlace extends PlaceCommon {
  platform: "github";
  /** GITHUB_API_URL, e.g. https://api.github.com */
  apiUrl: string;
  /** owner/name */
  repository: string;
  pullNumber: number;
}

export type CommentPlace = GitLabPlace | GitHubPlace;

/** Either the place, or why there is none (said as a warning). */
export type PlaceLookup = { place: CommentPlace } | { notPostable: string };

export function findCommentPlace(env: NodeJS.ProcessEnv, tokenEnv?: string): PlaceLookup {
  if (env.GITLAB_CI === "true") return gitLabPlace(env, tokenEnv ?? DEFAULT_GITLAB_TOKEN_ENV);
  if (env.GITHUB_ACTIONS === "true") return gitHubPlace(env, tokenEnv ?? DEFAULT_GITHUB_TOKEN_ENV);
  return {
    notPostable: "not running in GitLab CI or GitHub Actions, so there is no merge request to comment on",
  };
}

function gitLabPlace(env: NodeJS.ProcessEnv, tokenEnv: string): PlaceLookup {
  const iid = Number(env.CI_MERGE_REQUEST_IID);
  if (!env.CI_MERGE_REQUEST_IID || !Number.isInteger(iid) || iid <= 0) {
    return {
      notPostable:
        "this is not a merge request pipeline (CI_MERGE_REQUEST_IID is not set); run the plan job with " +
        'rules: - if: $CI_PIPELINE_SOURCE == "merge_request_event"',
    };
  }
  const missing = ["CI_API_V4_URL", "CI_PROJECT_ID"].filter((name) => !env[name]);
  if (missing.length > 0)
    return { notPostable: `${missing.join(" and ")} not set: cannot reach the GitLab API` };
  return {
    place: {
      platform: "gitlab",
      apiUrl: env.CI_API_V4_URL as string,
      projectId: env.CI_PROJECT_ID as string,
      mergeRequestIid: iid,
      tokenEnv,
      token: env[tokenEnv] || undefined,
      ...optional("commit", env.CI_COMMIT_SHA),
      ...optional("jobUrl", ciJobUrl(env)),
    },
  };
}

function gitHubPlace(env: NodeJS.ProcessEnv, tokenEnv: string): PlaceLookup {
  const missing = ["GITHUB_REPOSITORY", "GITHUB_EVENT_PATH"].filter((name) => !env[name]);
  if (missing.length > 0)
    return { notPostable: `${missing.join(" and ")} not set: cannot find the pull request` };
  const event = readEvent(env.GITHUB_EVENT_PATH as string);
  if (typeof event === "string") return { notPostable: event };
  const pullNumber = event.pull_request?.number;
  if (typeof pullNumber !== "number") {
    return {
      notPostable: `the ${env.GITHUB_EVENT_NAME ?? "triggering"} event is not about a pull request; run the plan on: pull_request`,
    };
  }
  return {
    place: {
      platform: "github",
      apiUrl: env.GITHUB_API_URL ?? "https://api.github.com",
      repository: env.GITHUB_REPOSITORY as string,
      pullNumber,
      tokenEnv,
      token: env[tokenEnv] || undefined,
      // GITHUB_SHA is the merge commit GitHub made for the run; the pushed commit is the head.
      ...optional("commit", event.pull_request?.head?.sha ?? env.GITHUB_SHA),
      ...optional("jobUrl", ciJobUrl(env)),
    },
  };
}

interface PullRequestEvent {
  pull_request?: { number?: unknown; head?: { sha?: string } };
}

function readEvent(file: string): PullRequestEvent | string {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as PullRequestEvent;
  } catch (error) {
    return `GITHUB_EVENT_PATH ${file} could not be read as JSON: ${error instanceof Error ? error.message : String(error)}`;
  }
}

function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value ? ({ [key]: value } as Record<K, string>) : {};
}
