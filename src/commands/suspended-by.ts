/**
 * Who runs `croncd suspend`, as the label and the reports name them: a person reading a skipped
 * stack during an incident must find who to ask. CI jobs name their user and the job's page.
 */
import os from "node:os";

export function suspendedBy(env: NodeJS.ProcessEnv): string {
  if (env.GITLAB_CI && env.GITLAB_USER_LOGIN) {
    return env.CI_JOB_URL ? `${env.GITLAB_USER_LOGIN} (${env.CI_JOB_URL})` : env.GITLAB_USER_LOGIN;
  }
  if (env.GITHUB_ACTIONS && env.GITHUB_ACTOR) {
    const run =
      env.GITHUB_SERVER_URL && env.GITHUB_REPOSITORY && env.GITHUB_RUN_ID
        ? ` (${env.GITHUB_SERVER_URL}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID})`
        : "";
    return `${env.GITHUB_ACTOR}${run}`;
  }
  return `${os.userInfo().username}@${os.hostname()}`;
}
