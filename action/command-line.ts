/** Action inputs → croncd's command line, and the environment it needs beyond the job's own. */
import type { ActionInputs } from "./inputs.js";

/**
 * The variable the comment token travels in: croncd reads tokens from the environment by name
 * (`--comment-token-env`), never from argv, where it would show in the process list.
 */
export const COMMENT_TOKEN_ENV = "CRONCD_COMMENT_TOKEN";

export interface CommandLine {
  args: string[];
  env: Record<string, string>;
}

export function buildCommandLine(inputs: ActionInputs, report: string): CommandLine {
  const args = [inputs.command, "--config", inputs.config, "--report", report];
  const env: Record<string, string> = {};
  for (const target of inputs.targets) args.push("--target", target);
  for (const ref of inputs.refs) args.push("--ref", ref);
  if (inputs.stack) args.push("--stack", inputs.stack);
  if (inputs.release) args.push("--release", inputs.release);
  if (inputs.reason) args.push("--reason", inputs.reason);
  if (inputs.dryRun) args.push("--dry-run");
  if (inputs.out) args.push("--out", inputs.out);
  if (inputs.junit) args.push("--junit", inputs.junit);
  if (inputs.comment) {
    if (inputs.command !== "plan") {
      throw new Error(`comment: true posts a plan; it needs command: plan, not ${inputs.command}`);
    }
    if (!inputs.token) {
      throw new Error("comment: true needs a token that may write pull-request comments (input token)");
    }
    args.push("--comment", "--comment-token-env", COMMENT_TOKEN_ENV);
    env[COMMENT_TOKEN_ENV] = inputs.token;
  }
  return { args, env };
}
