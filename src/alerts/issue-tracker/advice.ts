/**
 * What to do when the issue tracker cannot be used: a missing token, a refusal, an API that is
 * down or does not answer. Said once per run in the log and the report; never fails the run.
 */
import type { HttpError } from "../../ports/http.js";
import type { IssueTrackerConfig } from "./config.js";

export function missingTokenAdvice(config: IssueTrackerConfig): string {
  if ("gitlab" in config) {
    const variable = config.gitlab.tokenEnv;
    return (
      `${variable} is empty or not set. CI_JOB_TOKEN cannot create issues: create a project access token ` +
      "with the api scope and at least the Reporter role (Settings > Access tokens) and store it as a masked " +
      `CI/CD variable named ${variable}`
    );
  }
  const variable = config.github.tokenEnv;
  return (
    `${variable} is empty or not set: pass a token that may write issues to the step, e.g. ` +
    `env: ${variable}: \${{ github.token }} with permissions: issues: write`
  );
}

/** What to do about a refusal, by status; the server's own words are already in the message. */
export function refusalAdvice(error: HttpError, config: IssueTrackerConfig): string | undefined {
  const gitlab = "gitlab" in config;
  const variable = gitlab ? config.gitlab.tokenEnv : config.github.tokenEnv;
  const where = gitlab ? `project ${config.gitlab.project}` : config.github.repository;
  if (error.timedOut)
    return "the API did not answer in time; the issue is brought up to date on the next run";
  switch (error.status) {
    case 401:
      return `the token in ${variable} was refused: it is wrong, expired or revoked`;
    case 403:
      return gitlab
        ? `the token in ${variable} may not write issues: it needs the api scope and at least the Reporter role in ${where}`
        : `the token in ${variable} may not write issues in ${where}: it needs issues: write (permissions: issues: write for GITHUB_TOKEN; Issues read and write for a fine-grained token)`;
    case 404:
      return `the token in ${variable} cannot see ${where}, or its issues are turned off`;
    case 410:
      return `issues are turned off in ${where}`;
    default:
      return error.status !== undefined && error.status >= 500
        ? "the API failed on its side; the issue is brought up to date on the next run"
        : undefined;
  }
}
