/**
 * Names the run that holds a lock so that a person blocked by it can find that run: the CI job's
 * page when croncd runs in CI, else the machine and process. Never a secret: only URLs and names
 * the CI shows anyone who can see the job.
 */
import os from "node:os";

export function holderFromEnv(env: NodeJS.ProcessEnv, pid: number = process.pid): string {
  return ciJobUrl(env) ?? `host ${os.hostname()} pid ${pid}`;
}

/** The page of the CI job (GitLab) or workflow run attempt (GitHub) croncd runs in, if any. */
export function ciJobUrl(env: NodeJS.ProcessEnv): string | undefined {
  if (env.CI_JOB_URL) return env.CI_JOB_URL;
  const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repository, GITHUB_RUN_ID: runId } = env;
  if (server && repository && runId) {
    const attempt = env.GITHUB_RUN_ATTEMPT ? `/attempts/${env.GITHUB_RUN_ATTEMPT}` : "";
    return `${server}/${repository}/actions/runs/${runId}${attempt}`;
  }
  return undefined;
}
