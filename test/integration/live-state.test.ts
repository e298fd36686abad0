// Knowing the live state, end to end through the real croncd command on the real Swarm: changes
// made by hand are found field by field, reported, healed (exit 2), or only reported with
// --no-heal; plan shows the diff; a failing rollout fails the run with the task's own error;
// dependsOn orders deploys and a cycle is refused.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readReport, runCroncd, writeConfig } from "../helpers/croncd.js";
import {
  docker,
  listServices,
  removeAllStacks,
  TEST_IMAGE,
  TEST_IMAGE_V2,
  uniqueStackName,
} from "../helpers/docker.js";
import { createBareRepo, TestRepo } from "../helpers/git-repo.js";

const prefix = uniqueStackName("live");
const web = `${prefix}-web`;
const compose = `services:
  app:
    image: ${TEST_IMAGE}
    command: ["sleep", "3600"]
    environment:
      MODE: calm
    deploy:
      labels:
        team: web
  side:
    image: ${TEST_IMAGE}
    command: ["sleep", "3600"]
`;

describe("live state: drift, plan diffs, rollouts, order", () => {
  let work: string;
  let bare: string;
  let repo: TestRepo;
  let configFile: string;
  const reportFile = () => path.join(work, "report.json");
  const croncd = (...args: string[]) =>
    runCroncd([...args, "--config", configFile, "--report", reportFile()], { cwd: work });
  const entryOf = async (name: string) =>
    (await readReport(reportFile())).entries.find((e) => e.name === name);
  const spec = async (service: string) =>
    (await listServices(`com.docker.stack.namespace=${web}`)).find((s) => s.Spec.Name === service);

  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), "croncd-live-"));
    bare = await createBareRepo(work, "stacks.git");
    repo = await TestRepo.create(path.join(work, "checkout"), { [`stacks/${web}/compose.yaml`]: compose });
    await repo.push(bare);
    configFile = await writeConfig(
      work,
      [{ name: "platform", url: bare }],
      [{ name: prefix, source: "platform", path: "stacks", prune: true }],
    );
    const first = await croncd("reconcile");
    expect(first.exitCode, first.output).toBe(0);
  });

  afterAll(async () => {
    await removeAllStacks(prefix);
    await rm(work, { recursive: true, force: true });
  });

  it.each([
    [
      "an image",
      ["service", "update", "--detach", "--no-resolve-image", "--image", TEST_IMAGE_V2, `${web}_app`],
      "image",
    ],
    [
      "an environment variable",
      ["service", "update", "--detach", "--env-add", "DEBUG=1", `${web}_app`],
      "env.DEBUG",
    ],
    ["the replica count", ["service", "scale", "--detach", `${web}_app=2`], "replicas"],
    [
      "a service label",
      ["service", "update", "--detach", "--label-add", "team=ops", `${web}_app`],
      "labels.team",
    ],
    ["a removed service", ["service", "rm", `${web}_side`], "service missing"],
    [
      "a service added into the stack",
      [
        "service",
        "create",
        "--detach",
        "--no-resolve-image",
        "--name",
        `${web}_extra`,
        "--label",
        `com.docker.stack.namespace=${web}`,
        TEST_IMAGE,
        "sleep",
        "3600",
      ],
      "service not in git",
    ],
  ])("finds %s changed by hand, heals it and exits 2", async (_kind, change, field) => {
    await docker(change);
    const plan = await croncd("plan");
    expect(plan.exitCode, plan.output).toBe(2);
    expect(plan.output).toContain(`stack ${web}: would update — drifted from git`);
    expect(plan.output).toContain(field);

    const healed = await croncd("reconcile");
    expect(healed.exitCode, healed.output).toBe(2);
    const entry = await entryOf(web);
    expect(entry).toMatchObject({ action: "configured", drift: true });
    expect((entry as { details?: string[] }).details?.join("\n")).toContain(field);

    const after = await croncd("reconcile");
    expect(after.exitCode, after.output).toBe(0);
    expect((await entryOf(web))?.action).toBe("unchanged");
    expect((await spec(`${web}_app`))?.Spec.TaskTemplate.ContainerSpec.Image).toContain(TEST_IMAGE);
  });

  it("--no-heal reports drift and exit 2 but leaves it; plan --json carries the field diff", async () => {
    await docker(["service", "update", "--detach", "--env-add", "HOTFIX=yes", `${web}_app`]);
    const json = await runCroncd(["plan", "--json", "--config", configFile], { cwd: work });
    expect(json.exitCode).toBe(2);
    const report = JSON.parse(json.stdout) as {
      entries: { name: string; details?: string[]; drift?: boolean }[];
    };
    expect(report.entries.find((e) => e.name === web)).toMatchObject({ drift: true });
    expect(report.entries.find((e) => e.name === web)?.details?.join("\n")).toContain("env.HOTFIX");

    const reported = await croncd("reconcile", "--no-heal");
    expect(reported.exitCode).toBe(2);
    expect(await entryOf(web)).toMatchObject({ action: "skipped", drift: true });
    const env = ((await spec(`${web}_app`))?.Spec.TaskTemplate.ContainerSpec as { Env?: string[] }).Env ?? [];
    expect(env).toContain("HOTFIX=yes");
    expect((await croncd("reconcile")).exitCode).toBe(2);
  });

  it("a rollout that fails fails the run with the task's own error", async () => {
    const broken = `${prefix}-broken`;
    await repo.write(
      `stacks/${broken}/compose.yaml`,
      `services:\n  app:\n    image: ${TEST_IMAGE}\n    command: ["false"]\n    deploy:\n      restart_policy: { delay: 1s }\n`,
    );
    await repo.commit("a service whose container exits 1");
    await repo.push(bare);
    const result = await croncd("reconcile");
    expect(result.exitCode).toBe(1);
    expect(await entryOf(broken)).toMatchObject({ action: "failed" });
    expect((await entryOf(broken))?.reason).toMatch(/rollout failed: .*non-zero exit \(1\)/);
    await repo.remove(`stacks/${broken}`);
    await repo.commit("drop it");
    await repo.push(bare);
    expect((await croncd("reconcile")).exitCode).toBe(0);
  });

  it("deploys a stack only after the stacks it depends on are healthy, and refuses a cycle", async () => {
    const db = `${prefix}-db`;
    const api = `${prefix}-api`;
    const stack = (needs: string[]) =>
      `x-croncd:\n  dependsOn: [${needs.join(", ")}]\nservices:\n  app:\n    image: ${TEST_IMAGE}\n    command: ["sleep", "3600"]\n`;
    await repo.write(`stacks/${db}/compose.yaml`, stack([]));
    await repo.write(`stacks/${api}/compose.yaml`, stack([db]));
    await repo.commit("api depends on db");
    await repo.push(bare);
    const result = await croncd("reconcile");
    expect(result.exitCode, result.output).toBe(0);
    const created = async (name: string) =>
      Date.parse((await listServices(`com.docker.stack.namespace=${name}`))[0]?.CreatedAt ?? "");
    // db had to converge (its tasks running for the monitor period) before api was even created.
    expect((await created(api)) - (await created(db))).toBeGreaterThan(3000);

    const x = `${prefix}-x`;
    const y = `${prefix}-y`;
    await repo.write(`stacks/${x}/compose.yaml`, stack([y]));
    await repo.write(`stacks/${y}/compose.yaml`, stack([x]));
    await repo.commit("a cycle");
    await repo.push(bare);
    const cycle = await croncd("reconcile");
    expect(cycle.exitCode).toBe(1);
    expect((await entryOf(x))?.reason).toContain("x-croncd.dependsOn forms a cycle");
    expect(await listServices(`com.docker.stack.namespace=${x}`)).toEqual([]);
  });
});
