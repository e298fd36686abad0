// `--report` and `--out` paths that cannot be written are refused before anything happens: a run
// that deploys and only then fails to write its report loses what it did, and must never print
// one exit code and return another.
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCroncd, writeConfig } from "../helpers/croncd.js";
import { listServices, removeAllStacks, TEST_IMAGE, uniqueStackName } from "../helpers/docker.js";
import { createBareRepo, TestRepo } from "../helpers/git-repo.js";

const stack = uniqueStackName("outpaths");

describe("output paths", () => {
  let work: string;
  let config: string;

  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), "croncd-outpaths-"));
    const bare = await createBareRepo(work, "stacks.git");
    const repo = await TestRepo.create(path.join(work, "checkout"), {
      [`stacks/${stack}/compose.yaml`]: `services:
  app:
    image: ${TEST_IMAGE}
    command: ["sleep", "3600"]
`,
    });
    await repo.push(bare);
    config = await writeConfig(
      work,
      [{ name: "platform", url: bare }],
      [{ name: stack, source: "platform", path: "stacks" }],
    );
  });

  afterAll(async () => {
    await removeAllStacks(stack);
    await rm(work, { recursive: true, force: true });
  });

  const deployed = () => listServices(`com.docker.stack.namespace=${stack}`);

  it("a --report in a folder that does not exist: exit 1, a clear message, nothing deployed", async () => {
    const report = path.join(work, "no-such-folder", "report.json");
    const result = await runCroncd(["reconcile", "--config", config, "--report", report], { cwd: work });
    expect(result.exitCode, result.output).toBe(1);
    expect(result.output).toContain(
      `error: --report ${report}: its folder ${path.dirname(report)} does not exist (create the folder first)`,
    );
    expect(result.output).not.toMatch(/at .*\.mjs:\d+|\(exit 0\)/);
    expect(await deployed()).toEqual([]);
  });

  it("a --report that is a directory: exit 1, a clear message, nothing deployed", async () => {
    const report = path.join(work, "reports");
    await mkdir(report, { recursive: true });
    const result = await runCroncd(["reconcile", "--config", config, "--report", report], { cwd: work });
    expect(result.exitCode, result.output).toBe(1);
    expect(result.output).toContain(`--report ${report}: is a directory, not a file`);
    expect(await deployed()).toEqual([]);
  });

  it("render --out that is a file: exit 1 before rendering", async () => {
    const out = path.join(work, "a-file");
    await writeFile(out, "not a folder");
    const result = await runCroncd(["render", "--config", config, "--out", out], { cwd: work });
    expect(result.exitCode, result.output).toBe(1);
    expect(result.output).toContain(`--out ${out}: is a file, not a folder (give a folder path)`);
    expect(result.output).not.toContain("== pull sources");
  });

  it("a good --report: the exit code printed is the one returned and the one in the report", async () => {
    const report = path.join(work, "report.json");
    const result = await runCroncd(["reconcile", "--config", config, "--report", report], { cwd: work });
    expect(result.exitCode, result.output).toBe(0);
    expect(result.output).toMatch(/croncd reconcile: 1 created \(exit 0\)\s*$/);
    expect(JSON.parse(await readFile(report, "utf8"))).toMatchObject({ exitCode: 0 });
    expect(await deployed()).toHaveLength(1);
  });
});
