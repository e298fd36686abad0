/**
 * Who runs `croncd suspend`, as the label and the reports name them: a person reading a skipped
 * stack during an incident must find who to ask. CI jobs name their user and the job's page.
 */
import os from "node:os";
import { ciJobUrl } from "../util/ci-job-url.js";

export function suspendedBy(env: NodeJS.ProcessEnv): string {
  const user = env.GITLAB_USER_LOGIN || env.GITHUB_ACTOR;
  const job = ciJobUrl(env);
  if (user) return job ? `${user} (${job})` : user;
  if (job) return job;
  return `${os.userInfo().username}@${os.hostname()}`;
}
