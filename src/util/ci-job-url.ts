/**
 * The page of the CI job (GitLab) or workflow run attempt (GitHub) croncd runs in, if any: what a
 * lock's holder, a suspension, an alert and a plan comment point a person at. Only URLs the CI
 * shows anyone who can see the job; never a secret.
 */
export function ciJobUrl(env: NodeJS.ProcessEnv): string | undefined {
  if (env.CI_JOB_URL) return env.CI_JOB_URL;
  const { GITHUB_REPOSITORY: repository, GITHUB_RUN_ID: runId } = env;
  if (!repository || !runId) return undefined;
  const server = env.GITHUB_SERVER_URL ?? "https://github.com";
  const attempt = env.GITHUB_RUN_ATTEMPT ? `/attempts/${env.GITHUB_RUN_ATTEMPT}` : "";
  return `${server}/${repository}/actions/runs/${runId}${attempt}`;
}
