import { describe, expect, it } from "vitest";
import { buildCommandLine, COMMENT_TOKEN_ENV } from "../../../action/command-line.js";
import type { ActionInputs } from "../../../action/inputs.js";

const defaults: ActionInputs = {
  command: "reconcile",
  config: "croncd.yaml",
  targets: [],
  refs: [],
  report: "",
  stack: "",
  release: "",
  reason: "",
  dryRun: false,
  out: "",
  failOnChanges: false,
  junit: "",
  comment: false,
  token: "ghs_example",
};

describe("Action inputs → croncd's command line", () => {
  it("suspend passes the reason as one argument, however many words it has", () => {
    const { args } = buildCommandLine(
      { ...defaults, command: "suspend", stack: "web", reason: "incident 42; do not heal" },
      "/tmp/r.json",
    );
    expect(args).toEqual([
      "suspend",
      "--config",
      "croncd.yaml",
      "--report",
      "/tmp/r.json",
      "--stack",
      "web",
      "--reason",
      "incident 42; do not heal",
    ]);
  });

  it("passes every input that is set, as the CLI spells it", () => {
    const { args, env } = buildCommandLine(
      {
        ...defaults,
        command: "prune",
        targets: ["prod"],
        stack: "web",
        dryRun: true,
        junit: "junit.xml",
      },
      "/tmp/r.json",
    );
    expect(args).toEqual([
      "prune",
      "--config",
      "croncd.yaml",
      "--report",
      "/tmp/r.json",
      "--target",
      "prod",
      "--stack",
      "web",
      "--dry-run",
      "--junit",
      "junit.xml",
    ]);
    expect(env).toEqual({});
  });

  it("hands the comment token over in the environment, never in argv", () => {
    const { args, env } = buildCommandLine({ ...defaults, command: "plan", comment: true }, "r.json");
    expect(args.slice(-3)).toEqual(["--comment", "--comment-token-env", COMMENT_TOKEN_ENV]);
    expect(args.join(" ")).not.toContain("ghs_example");
    expect(env).toEqual({ [COMMENT_TOKEN_ENV]: "ghs_example" });
  });

  it("refuses a comment for anything but a plan, and a comment without a token", () => {
    expect(() => buildCommandLine({ ...defaults, comment: true }, "r.json")).toThrow(
      "comment: true posts a plan; it needs command: plan, not reconcile",
    );
    expect(() =>
      buildCommandLine({ ...defaults, command: "plan", comment: true, token: "" }, "r.json"),
    ).toThrow(/needs a token/);
  });
});
