// Runs the GitHub Action bundle the way a runner does: every input of action.yml as an INPUT_*
// variable (defaults included), outputs and the job summary through the files GitHub names in
// GITHUB_OUTPUT / GITHUB_STEP_SUMMARY, RUNNER_TEMP and GITHUB_WORKSPACE set; the workflow commands
// it prints are read from its output as the runner reads them.
import { access, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { writeConfig } from "../helpers/croncd.js";
import { docker, removeAllStacks, TEST_IMAGE, uniqueStackName } from "../helpers/docker.js";
import { ForgeApi } from "../helpers/forge-api/server.js";
import { TestRepo } from "../helpers/git-repo.js";

const ACTION = fileURLToPath(new URL("../../action/dist/index.mjs", import.meta.url));
const ACTION_YML = fileURLToPath(new URL("../../action.yml", import.meta.url));
const FAKE_TOKEN = "ghs_fakeTokenForTheActionTest0123";

/** `name<<ghadelimiter_…\nvalue\nghadelimiter_…` blocks of a GITHUB_OUTPUT file. */
function parseOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  for (const match of text.matchAll(/^([\w-]+)<<(ghadelimiter_[\w-]+)\n([\s\S]*?)\n\2$/gm)) {
    outputs[match[1] as string] = match[3] as string;
  }
  return outputs;
}

describe("GitHub Action bundle", () => {
  const stack = uniqueStackName("action");
  let work: string;
  let workspace: string;
  let runnerTemp: string;
  let inputDefaults: Record<string, string>;
  let forge: ForgeApi;

  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), "croncd-action-"));
    runnerTemp = path.join(work, "runner-temp");
    await mkdir(runnerTemp);
    // The workflow's checkout is the config repository, and croncd.yaml's source is that checkout
    // (url "."): the case where annotations can point at the workspace's own files.
    workspace = path.join(work, "workspace");
    await TestRepo.create(workspace, {
      "stacks/web/compose.yaml": `services:\n  app:\n    image: ${TEST_IMAGE}\n`,
      // A "%" in the message: the runner would decode "%0A" in it to a newline if it were not escaped.
      "stacks/bad/compose.yaml": `services:\n  app:\n    image: "\${MISSING:?100%0A broken}"\n`,
      [`live/${stack}/compose.yaml`]: `services:\n  app:\n    image: ${TEST_IMAGE}\n    command: ["sleep", "3600"]\n`,
    });
    await writeConfig(
      workspace,
      [{ name: "platform", url: "." }],
      [
        { name: "prod", source: "platform", path: "stacks" },
        { name: "live", source: "platform", path: "live" },
      ],
    );
    forge = await ForgeApi.start();
    // What the workflow's github.token is: an app installation token, which may not ask who it is.
    forge.grant(FAKE_TOKEN, {
      user: { id: 41898282, login: "github-actions[bot]", bot: true },
      appInstallation: true,
    });
    // What the runner does: every input is set, with action.yml's default when the workflow gives none.
    const manifest = parse(await readFile(ACTION_YML, "utf8")) as {
      inputs: Record<string, { default?: string }>;
    };
    inputDefaults = Object.fromEntries(
      Object.entries(manifest.inputs).map(([name, input]) => [
        name,
        (input.default ?? "").replace("${{ github.token }}", FAKE_TOKEN),
      ]),
    );
  });

  afterAll(async () => {
    await forge.stop();
    await removeAllStacks(stack);
    await rm(work, { recursive: true, force: true });
  });

  async function runAction(inputs: Record<string, string>, extraEnv: Record<string, string> = {}) {
    const outputFile = path.join(work, "github-output");
    const summaryFile = path.join(work, "step-summary");
    await writeFile(outputFile, "");
    await writeFile(summaryFile, "");
    const env = Object.fromEntries(
      Object.entries({ ...inputDefaults, ...inputs }).map(([name, value]) => [
        `INPUT_${name.toUpperCase()}`,
        value,
      ]),
    );
    const result = await execa("node", [ACTION], {
      cwd: workspace,
      env: {
        ...env,
        GITHUB_OUTPUT: outputFile,
        GITHUB_STEP_SUMMARY: summaryFile,
        GITHUB_ACTIONS: "true",
        GITHUB_WORKSPACE: workspace,
        GITHUB_SERVER_URL: "https://github.com",
        GITHUB_REPOSITORY: "acme/platform-config",
        RUNNER_TEMP: runnerTemp,
        GITLAB_CI: "",
        ...extraEnv,
      },
      reject: false,
    });
    return {
      exitCode: result.exitCode,
      stdout: String(result.stdout),
      stderr: String(result.stderr),
      outputs: parseOutputs(await readFile(outputFile, "utf8")),
      summary: await readFile(summaryFile, "utf8"),
    };
  }

  it("fails the step, counts entries, annotates the broken stack (escaped) and writes a summary", async () => {
    const junit = path.join(work, "junit.xml");
    const result = await runAction({ command: "validate", targets: "prod", junit });
    expect(result.exitCode).toBe(1);
    // The junit input reaches croncd: one test case per stack, the broken one failed.
    expect(await readFile(junit, "utf8")).toMatch(/<testcase [^>]*name="stack bad"[^>]*>\s*<failure /);
    expect(result.outputs).toMatchObject({
      "exit-code": "1",
      failed: "1",
      skipped: "1",
      created: "0",
      drifted: "0",
    });
    // The log and the workflow commands share stdout, so groups and annotations stay in order.
    expect(result.stdout).toContain("::group::pull sources");
    expect(result.stdout).toMatch(
      /^::error title=stack bad \(target prod\) failed,file=stacks\/bad\/compose\.yaml,line=3::render failed: .*required variable MISSING is missing a value: 100%250A broken \(set MISSING/m,
    );
    expect(result.stdout).toContain("::error::croncd validate failed; see the annotations");
    expect(result.summary).toContain("### croncd validate failed");
    expect(result.summary).toMatch(
      /\| prod \| stack \| bad \| ❌ failed \| render failed: .*required variable MISSING/,
    );
    expect(result.summary).toContain("| prod | stack | web | ⏭️ skipped | valid: stacks/web/compose.yaml |");
  });

  it("deploys, and keeps the report under RUNNER_TEMP after the step for an upload step", async () => {
    const result = await runAction({ command: "reconcile", targets: "live" });
    expect(result.exitCode).toBe(0);
    expect(result.outputs).toMatchObject({ "exit-code": "0", created: "1", failed: "0", changes: "false" });
    const report = result.outputs.report as string;
    expect(path.relative(runnerTemp, report).startsWith("..")).toBe(false);
    await access(report);
    const written = JSON.parse(await readFile(report, "utf8")) as {
      entries: { name: string; action: string }[];
    };
    expect(written.entries).toEqual([expect.objectContaining({ name: stack, action: "created" })]);
    expect(result.summary).toContain(`| live | stack | ${stack} | 🆕 created |`);
  });

  it("heals a change made by hand: a warning with the field diff, exit-code 2, the step not failed", async () => {
    await docker(["service", "scale", "--detach", `${stack}_app=2`]);
    const result = await runAction({ command: "reconcile", targets: "live" });
    expect(result.exitCode).toBe(0);
    expect(result.outputs).toMatchObject({
      "exit-code": "2",
      drifted: "1",
      configured: "1",
      changes: "true",
    });
    // One line per command: the diff's lines travel as %0A inside it.
    expect(result.stdout).toMatch(
      new RegExp(
        `^::warning title=stack ${stack} \\(target live\\) changed by hand::drifted from git: 1 field changed by hand[^%\n]*%0A${stack}_app: replicas: git has 1, live has 2$`,
        "m",
      ),
    );
    expect(result.stdout).not.toMatch(/^::error/m);
  });

  it("annotates a broken croncd.yaml once, though the log and the report both say it", async () => {
    await writeFile(path.join(workspace, "broken.yaml"), "sources: []\ntargets: []\n");
    const result = await runAction({ command: "reconcile", config: "broken.yaml" });
    expect(result.exitCode).toBe(1);
    expect(result.outputs).toMatchObject({ "exit-code": "1", failed: "1" });
    const annotations = result.stdout.split("\n").filter((line) => line.startsWith("::error"));
    expect(annotations).toEqual([
      expect.stringMatching(
        /^::error title=croncd reconcile failed,file=broken\.yaml,line=1::broken\.yaml: invalid configuration:%0A {2}line 1: sources: declare at least one source%0A/,
      ),
      "::error::croncd reconcile failed; see the annotations and the log above",
    ]);
  });

  it("plan with comment: posts one pull-request comment with the token input, and edits it on the next push", async () => {
    const pullRequest = forge.openPullRequest("acme/platform-config", 7);
    const eventFile = path.join(work, "event.json");
    const pushed = async (sha: string) =>
      writeFile(eventFile, JSON.stringify({ pull_request: { number: 7, head: { sha } } }));
    const plan = () =>
      runAction(
        { command: "plan", targets: "live", comment: "true" },
        {
          GITHUB_API_URL: forge.githubApiUrl,
          GITHUB_EVENT_PATH: eventFile,
          GITHUB_EVENT_NAME: "pull_request",
        },
      );
    await pushed("1111111aaaaaaa");
    const first = await plan();
    expect(first.exitCode).toBe(0);
    expect(first.stdout).toContain("plan comment on pull request #7 of acme/platform-config: created");
    await pushed("2222222bbbbbbb");
    const second = await plan();
    expect(second.stdout).toContain("plan comment on pull request #7 of acme/platform-config: edited");
    const comments = forge.comments(pullRequest);
    expect(comments).toHaveLength(1);
    expect(comments[0]?.body).toContain(`| live | stack | ${stack} | ✅ unchanged |`);
    // The token reaches croncd in the environment only; the runner is told to hide it before anything runs.
    expect(second.stdout.split("\n")[0]).toBe(`::add-mask::${FAKE_TOKEN}`);
    const printed = second.stdout.split("\n").filter((line) => !line.startsWith("::add-mask::"));
    expect(printed.join("\n")).not.toContain(FAKE_TOKEN);
  });

  it("refuses a comment for anything but a plan before running anything", async () => {
    const result = await runAction({ command: "reconcile", targets: "live", comment: "true" });
    expect(result.exitCode).toBe(1);
    expect(result.outputs["exit-code"]).toBe("1");
    expect(result.stdout).toContain(
      "::error::comment: true posts a plan; it needs command: plan, not reconcile",
    );
    expect(result.stdout).not.toContain("::group::");
    expect(result.stdout + result.stderr).not.toContain(FAKE_TOKEN);
  });
});
