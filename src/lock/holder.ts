/**
 * Names the run that holds a lock so that a person blocked by it can find that run: the CI job's
 * page when croncd runs in CI, else the machine and process. Never a secret: only URLs and names
 * the CI shows anyone who can see the job.
 */
import os from "node:os";
import { ciJobUrl } from "../util/ci-job-url.js";

export function holderFromEnv(env: NodeJS.ProcessEnv, pid: number = process.pid): string {
  return ciJobUrl(env) ?? `host ${os.hostname()} pid ${pid}`;
}
