import { describe, expect, it } from "vitest";
import { parseArguments } from "../../../src/cli/arguments.js";

describe("parseArguments", () => {
  it("reads a run command with its options and defaults", () => {
    expect(
      parseArguments([
        "plan",
        "--target",
        "a",
        "--target",
        "b",
        "--ref",
        "platform=abc",
        "--report",
        "r.json",
      ]),
    ).toEqual({
      command: "plan",
      config: "croncd.yaml",
      targets: ["a", "b"],
      refs: ["platform=abc"],
      report: "r.json",
      dryRun: false,
    });
  });

  it("refuses an option that means nothing to the command, instead of ignoring it", () => {
    expect(() => parseArguments(["reconcile", "--dry-run"])).toThrow(
      "reconcile: --dry-run is not an option of reconcile (it belongs to: prune)",
    );
    expect(() => parseArguments(["reconcile", "--stack", "web"])).toThrow(
      "--stack is not an option of reconcile",
    );
    expect(() => parseArguments(["plan", "--out", "x"])).toThrow("(it belongs to: render)");
    expect(() => parseArguments(["prune", "--stack", "web", "--ref", "a=b"])).toThrow(
      "--ref is not an option of prune",
    );
  });

  it("takes --junit and --dotenv on every command that reports, and on no other", () => {
    for (const command of [
      ["reconcile"],
      ["plan"],
      ["validate"],
      ["render", "--out", "o"],
      ["prune", "--stack", "w"],
    ]) {
      expect(parseArguments([...command, "--junit", "j.xml", "--dotenv", "c.env"])).toMatchObject({
        junit: "j.xml",
        dotenv: "c.env",
      });
    }
    expect(() => parseArguments(["decrypt", "f.sops.yaml", "--junit", "j.xml"])).toThrow(
      "--junit is not an option of decrypt",
    );
  });

  it("names an unknown command before anything reads the configuration", () => {
    expect(() => parseArguments(["reconclie"])).toThrow(
      'unknown command "reconclie"; commands: reconcile, plan',
    );
  });

  it("requires what render and prune need, and one target for prune", () => {
    expect(() => parseArguments(["render"])).toThrow("say where with --out DIR");
    expect(() => parseArguments(["prune"])).toThrow("say which stack with --stack NAME");
    expect(() => parseArguments(["prune", "--stack", "web", "--target", "a", "--target", "b"])).toThrow(
      "give --target once",
    );
    expect(parseArguments(["prune", "--stack", "web", "--dry-run"])).toMatchObject({
      stack: "web",
      dryRun: true,
    });
  });

  it("prune names one item: a stack, or a release with an optional namespace", () => {
    expect(parseArguments(["prune", "--release", "api", "--namespace", "team-a"])).toMatchObject({
      release: "api",
      namespace: "team-a",
    });
    expect(() => parseArguments(["prune", "--stack", "web", "--release", "api"])).toThrow(
      "give --stack or --release, not both",
    );
    expect(() => parseArguments(["prune", "--stack", "web", "--namespace", "team-a"])).toThrow(
      "--namespace goes with --release NAME",
    );
    expect(() => parseArguments(["plan", "--release", "api"])).toThrow("--release is not an option of plan");
  });

  it("suspend and resume name one item of one target; only suspend takes a reason", () => {
    expect(parseArguments(["suspend", "--stack", "web", "--reason", "incident 42"])).toMatchObject({
      command: "suspend",
      stack: "web",
      reason: "incident 42",
    });
    expect(parseArguments(["resume", "--release", "api", "--namespace", "team-a"])).toMatchObject({
      command: "resume",
      release: "api",
      namespace: "team-a",
    });
    expect(() => parseArguments(["suspend"])).toThrow("say which stack with --stack NAME");
    expect(() => parseArguments(["resume", "--stack", "web", "--reason", "done"])).toThrow(
      "--reason is not an option of resume (it belongs to: suspend)",
    );
    expect(() => parseArguments(["suspend", "--stack", "web", "--dry-run"])).toThrow(
      "--dry-run is not an option of suspend",
    );
    expect(() => parseArguments(["suspend", "--stack", "web", "--target", "a", "--target", "b"])).toThrow(
      "give --target once",
    );
  });

  it("rejects unknown flags and stray arguments", () => {
    expect(() => parseArguments(["plan", "--force"])).toThrow(/Unknown option '--force'/);
    expect(() => parseArguments(["plan", "extra"])).toThrow('unexpected argument "extra"');
  });
});

describe("parseArguments: plan --comment", () => {
  it("reads --comment and the token's variable name", () => {
    expect(parseArguments(["plan", "--comment", "--comment-token-env", "MY_TOKEN"])).toMatchObject({
      command: "plan",
      comment: true,
      commentTokenEnv: "MY_TOKEN",
    });
  });

  it("refuses --comment on commands that do not plan", () => {
    expect(() => parseArguments(["reconcile", "--comment"])).toThrow(
      "reconcile: --comment is not an option of reconcile (it belongs to: plan)",
    );
  });

  it("refuses a token variable without --comment, and a token given where its name belongs", () => {
    expect(() => parseArguments(["plan", "--comment-token-env", "T"])).toThrow(
      "--comment-token-env goes with --comment",
    );
    expect(() => parseArguments(["plan", "--comment", "--comment-token-env", "glpat-abc.def"])).toThrow(
      'plan: --comment-token-env takes the name of an environment variable, not "glpat-abc.def"',
    );
  });
});
