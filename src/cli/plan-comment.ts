/**
 * `plan --comment` between the run and the report: posts the plan, logs what happened, and hands
 * back a warning for the report when the comment could not be posted. The exit code stays the plan's.
 */
import { postPlanComment, DEFAULT_COMMENT_TIMEOUT_MS } from "../plan-comment/post.js";
import type { RunReport } from "../report/json-report.js";
import type { Logger } from "../report/logger.js";
import type { Arguments } from "./arguments.js";

/** Seconds per API request; the default suits real APIs, tests of hung servers set it lower. */
export const COMMENT_TIMEOUT_ENV = "CRONCD_COMMENT_TIMEOUT_SECONDS";

/** Resolves to the warnings to add to the report (none when the comment was posted). */
export async function commentOnPlan(
  args: Arguments,
  report: RunReport,
  env: NodeJS.ProcessEnv,
  log: Logger,
): Promise<string[]> {
  const outcome = await postPlanComment({
    report,
    scope: { configFile: args.config, targets: args.targets, cwd: process.cwd() },
    env,
    masker: log.masker,
    timeoutMs: commentTimeoutMs(env),
    ...(args.commentTokenEnv ? { tokenEnv: args.commentTokenEnv } : {}),
  });
  if ("warning" in outcome) {
    log.warn(outcome.warning);
    return [outcome.warning];
  }
  log.info(`plan comment on ${outcome.where}: ${outcome.posted}`);
  return [];
}

function commentTimeoutMs(env: NodeJS.ProcessEnv): number {
  const seconds = Number(env[COMMENT_TIMEOUT_ENV]);
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : DEFAULT_COMMENT_TIMEOUT_MS;
}
