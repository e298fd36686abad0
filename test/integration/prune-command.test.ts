// The manual "prune stack" trigger: removes one stack croncd owns, refuses any other, and
// --dry-run changes nothing.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCroncd, writeConfig } from "../helpers/croncd.js";
import { docker, listServices, removeAllStacks, TEST_IMAGE, uniqueStackName } from "../helpers/docker.js";
import { createBareRepo, TestRepo } from "../helpers/git-repo.js";

const prefix = uniqueStackName("prune");
const owned = `${prefix}-owned`;
const handMade = `${prefix}-hand`;
const target = prefix;
const compose = `services:\n  app:\n    image: ${TEST_IMAGE}\n    command: ["sleep", "3600"]\n`;

describe("croncd prune --stack", () => {
  let work: string;
  let configFile: string;
  const prune = (...args: string[]) => runCroncd(["prune", "--config", configFile, ...args], { cwd: work });
  const services = (stack: string) => listServices(`com.docker.stack.namespace=${stack}`);

  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), "croncd-prune-"));
    const bare = await createBareRepo(work, "stacks.git");
    const repo = await TestRepo.create(path.join(work, "checkout"), {
      [`stacks/${owned}/compose.yaml`]: compose,
    });
    await repo.push(bare);
    configFile = await writeConfig(
      work,
      [{ name: "platform", url: bare }],
      [{ name: target, source: "platform", path: "stacks" }],
    );
    const deployed = await runCroncd(["reconcile", "--config", configFile], { cwd: work });
    expect(deployed.exitCode, deployed.output).toBe(0);
    await docker(["stack", "deploy", "--resolve-image", "never", "--compose-file", "-", handMade], {
      input: compose,
    });
  });

  afterAll(async () => {
    await removeAllStacks(prefix);
    await rm(work, { recursive: true, force: true });
  });

  it("--dry-run says what it would remove and removes nothing", async () => {
    const result = await prune("--stack", owned, "--dry-run");
    expect(result.exitCode, result.output).toBe(0);
    expect(result.output).toContain(
      `stack ${owned}: skipped — dry run: would remove the stack and its services ${owned}_app`,
    );
    expect(await services(owned)).toHaveLength(1);
  });

  it("refuses a stack croncd did not deploy", async () => {
    const result = await prune("--stack", handMade);
    expect(result.exitCode).toBe(1);
    expect(result.output).toContain(`refused: croncd target ${target} does not own ${handMade}_app`);
    expect(await services(handMade)).toHaveLength(1);
  });

  it("says so when the stack does not exist", async () => {
    const result = await prune("--stack", `${prefix}-nothing`);
    expect(result.exitCode).toBe(1);
    expect(result.output).toContain(`no stack named "${prefix}-nothing" runs on target ${target}`);
  });

  it("removes a stack croncd owns", async () => {
    const result = await prune("--stack", owned);
    expect(result.exitCode, result.output).toBe(0);
    expect(result.output).toContain(`stack ${owned}: deleted`);
    expect(await services(owned)).toEqual([]);
  });

  it("needs --stack", async () => {
    const result = await prune();
    expect(result.exitCode).toBe(1);
    expect(result.output).toContain("say which stack with --stack NAME");
  });
});
