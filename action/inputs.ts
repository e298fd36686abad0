/** The Action's inputs (action.yml), read once into plain data so the rest never calls @actions/core for them. */
import * as core from "@actions/core";

export interface ActionInputs {
  command: string;
  config: string;
  targets: string[];
  refs: string[];
  /** Empty: the Action picks a file under RUNNER_TEMP. */
  report: string;
  stack: string;
  release: string;
  /** suspend: why. */
  reason: string;
  dryRun: boolean;
  out: string;
  failOnChanges: boolean;
  junit: string;
  /** plan: post the plan as one pull-request comment, edited in place on every push. */
  comment: boolean;
  /** The token that posts the comment (`github.token` by default). */
  token: string;
}

export function readInputs(): ActionInputs {
  return {
    command: core.getInput("command") || "reconcile",
    config: core.getInput("config") || "croncd.yaml",
    targets: core.getMultilineInput("targets"),
    refs: core.getMultilineInput("refs"),
    report: core.getInput("report"),
    stack: core.getInput("stack"),
    release: core.getInput("release"),
    reason: core.getInput("reason"),
    dryRun: booleanInput("dry-run"),
    out: core.getInput("out"),
    failOnChanges: booleanInput("fail-on-changes"),
    junit: core.getInput("junit"),
    comment: booleanInput("comment"),
    token: core.getInput("token"),
  };
}

/** An unset boolean input is false (getBooleanInput throws on "", e.g. when run outside action.yml's defaults). */
function booleanInput(name: string): boolean {
  return core.getInput(name) === "" ? false : core.getBooleanInput(name);
}
