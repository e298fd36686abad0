// Runs the committed GitHub Action bundle the way a runner does: inputs as INPUT_* variables,
// outputs and the job summary through the files GitHub names in GITHUB_OUTPUT / GITHUB_STEP_SUMMARY.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeConfig } from "../helpers/croncd.js";
import { TEST_IMAGE } from "../helpers/docker.js";
import { createBareRepo, TestRepo } from "../helpers/git-repo.js";

const ACTION = fileURLToPath(new URL("../../action/dist/index.mjs", import.meta.url));

describe("GitHub Action bundle", () => {
  let work: string;
  let configFile: string;

  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), "croncd-action-"));
    const bare = await createBareRepo(work, "stacks.git");
    const repo = await TestRepo.create(path.join(work, "checkout"), {
      "stacks/web/compose.yaml": `services:\n  app:\n    image: ${TEST_IMAGE}\n`,
      "stacks/bad/compose.yaml": `services:\n  app:\n    image: \${MISSING:?bad on purpose}\n`,
    });
    await repo.push(bare);
    configFile = await writeConfig(
      work,
      [{ name: "platform", url: bare }],
      [{ name: "prod", source: "platform", path: "stacks" }],
    );
  });

  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  async function runAction(inputs: Record<string, string>) {
    const outputFile = path.join(work, "github-output");
    const summaryFile = path.join(work, "step-summary");
    await writeFile(outputFile, "");
    await writeFile(summaryFile, "");
    const defaults = {
      command: "reconcile",
      config: "croncd.yaml",
      "dry-run": "false",
      "fail-on-changes": "false",
    };
    const env = Object.fromEntries(
      Object.entries({ ...defaults, ...inputs }).map(([name, value]) => [
        `INPUT_${name.toUpperCase()}`,
        value,
      ]),
    );
    const result = await execa("node", [ACTION], {
      cwd: work,
      env: { ...env, GITHUB_OUTPUT: outputFile, GITHUB_STEP_SUMMARY: summaryFile, GITHUB_ACTIONS: "true" },
      reject: false,
    });
    return {
      exitCode: result.exitCode,
      stdout: String(result.stdout) + String(result.stderr),
      outputs: await readFile(outputFile, "utf8"),
      summary: await readFile(summaryFile, "utf8"),
    };
  }

  it("fails the step, sets outputs and writes a summary naming the broken stack", async () => {
    const result = await runAction({ command: "validate", config: configFile });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain("::error::croncd validate failed");
    expect(result.stdout).toContain("::group::pull sources");
    expect(result.outputs).toMatch(/exit-code<<ghadelimiter_[\w-]+\n1\n/);
    expect(result.summary).toContain("### croncd validate failed");
    expect(result.summary).toMatch(
      /\| prod \| stack \| bad \| ❌ failed \| render failed: .*required variable MISSING/,
    );
    expect(result.summary).toContain("| prod | stack | web | ⏭️ skipped | valid: stacks/web/compose.yaml |");
  });
});
