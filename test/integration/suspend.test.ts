// Suspend and resume on the real test Swarm, through the real CLI: a suspended stack is left as it
// runs — drift made by hand during an incident stays, a stack that left git stays, a manual prune is
// refused — and every summary names it with who, when and why; suspending restarts no task;
// resumed, the next reconcile heals it; `x-croncd.suspend: true` in git does the same; a stack
// croncd does not own cannot be suspended.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SUSPENSION_LABELS } from "../../src/targets/swarm/labels.js";
import { readReport, runCroncd, writeConfig } from "../helpers/croncd.js";
import {
  docker,
  listServices,
  listTasks,
  removeAllStacks,
  TEST_IMAGE,
  uniqueStackName,
} from "../helpers/docker.js";
import { createBareRepo, TestRepo } from "../helpers/git-repo.js";
import { holdSwarmLock, removeSwarmLock } from "../helpers/swarm-lock.js";

const prefix = uniqueStackName("suspend");
const held = `${prefix}-held`;
const departing = `${prefix}-gone`;
const fromGit = `${prefix}-git`;
const handMade = `${prefix}-hand`;
const compose = `services:\n  app:\n    image: ${TEST_IMAGE}\n    command: ["sleep", "3600"]\n`;
const LOCK = `${prefix}-lock`;
const JOB_URL = "https://gitlab.example.com/ops/stacks/-/jobs/7";
/** How a GitLab manual job's environment names the person who started it. */
const GITLAB_JOB = { GITLAB_CI: "true", GITLAB_USER_LOGIN: "alice", CI_JOB_URL: JOB_URL };

describe("croncd suspend / resume", () => {
  let work: string;
  let configFile: string;
  let repo: TestRepo;
  let bare: string;
  const croncd = (args: string[], env: Record<string, string> = {}) =>
    runCroncd([args[0] as string, "--config", configFile, ...args.slice(1)], { cwd: work, env });
  const servicesOf = (stack: string) => listServices(`com.docker.stack.namespace=${stack}`);
  const replicas = async (stack: string) => (await servicesOf(stack))[0]?.Spec.Mode.Replicated?.Replicas;
  const runningTaskIds = async (service: string) =>
    (await listTasks(service))
      .filter((task) => task.DesiredState === "running")
      .map((task) => task.ID)
      .sort();

  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), "croncd-suspend-"));
    bare = await createBareRepo(work, "stacks.git");
    repo = await TestRepo.create(path.join(work, "checkout"), {
      [`stacks/${held}/compose.yaml`]: compose,
      [`stacks/${departing}/compose.yaml`]: compose,
    });
    await repo.push(bare);
    configFile = await writeConfig(
      work,
      [{ name: "platform", url: bare }],
      // This file's own lock, so a lock held below keeps only this file's runs waiting.
      [{ name: prefix, source: "platform", path: "stacks", prune: true, lock: { name: LOCK, wait: 1 } }],
    );
    const deployed = await croncd(["reconcile"]);
    expect(deployed.exitCode, deployed.output).toBe(0);
    await docker(["stack", "deploy", "--resolve-image", "never", "--compose-file", "-", handMade], {
      input: compose,
    });
  });

  afterAll(async () => {
    await removeAllStacks(prefix);
    await rm(work, { recursive: true, force: true });
  });

  it("suspend waits for the target's lock: while another run holds it, nothing is marked", async () => {
    await holdSwarmLock(LOCK, "https://ci.example/jobs/other", new Date(Date.now() + 120_000));
    try {
      const result = await croncd(["suspend", "--stack", held]);
      expect(result.exitCode).toBe(1);
      expect(result.output).toContain(
        `stack ${held} not suspended: Swarm config ${LOCK} is held by https://ci.example/jobs/other`,
      );
      const [service] = await servicesOf(held);
      expect(service?.Spec.Labels?.[SUSPENSION_LABELS.by]).toBeUndefined();
    } finally {
      await removeSwarmLock(LOCK);
    }
  });

  it("suspend marks every service with who, when and why, and restarts no task", async () => {
    const tasksBefore = await runningTaskIds(`${held}_app`);
    expect(tasksBefore).toHaveLength(1);

    const result = await croncd(["suspend", "--stack", held, "--reason", "incident 42"], GITLAB_JOB);
    expect(result.exitCode, result.output).toBe(0);
    expect(result.output).toContain(`stack ${held}: configured — suspended by alice (${JOB_URL}) at `);

    const [service] = await servicesOf(held);
    expect(service?.Spec.Labels?.[SUSPENSION_LABELS.by]).toBe(`alice (${JOB_URL})`);
    expect(service?.Spec.Labels?.[SUSPENSION_LABELS.reason]).toBe("incident 42");
    expect(Date.parse(service?.Spec.Labels?.[SUSPENSION_LABELS.at] ?? "")).not.toBeNaN();
    // Only service-level labels changed: the container labels are as deployed, the tasks the same.
    expect(service?.Spec.TaskTemplate.ContainerSpec.Labels?.[SUSPENSION_LABELS.by]).toBeUndefined();
    expect(await runningTaskIds(`${held}_app`)).toEqual(tasksBefore);

    const other = await croncd(["suspend", "--stack", departing]);
    expect(other.exitCode, other.output).toBe(0);
  });

  it("refuses to suspend a stack croncd does not own, and labels none of its services", async () => {
    const result = await croncd(["suspend", "--stack", handMade, "--reason", "mine now"]);
    expect(result.exitCode).toBe(1);
    expect(result.output).toContain(
      `refused: croncd target ${prefix} does not own ${handMade}_app; croncd only suspends stacks it deployed`,
    );
    const [service] = await servicesOf(handMade);
    expect(service?.Spec.Labels?.[SUSPENSION_LABELS.by]).toBeUndefined();
  });

  it("a reconcile leaves suspended stacks as they run and names them in every summary", async () => {
    await docker(["service", "scale", "--detach", `${held}_app=2`]);
    await repo.remove(`stacks/${departing}`);
    await repo.write(
      `stacks/${fromGit}/compose.yaml`,
      `${compose}x-croncd:\n  suspend: true\n  suspendReason: waiting for the database move\n`,
    );
    await repo.commit("drop a stack, add a suspended one");
    await repo.push(bare);

    const report = path.join(work, "report.json");
    const junit = path.join(work, "junit.xml");
    const result = await croncd(["reconcile", "--report", report, "--junit", junit]);
    expect(result.exitCode, result.output).toBe(0);

    const entries = (await readReport(report)).entries;
    const entryOf = (name: string) => entries.find((entry) => entry.name === name);
    expect(entryOf(held)).toMatchObject({ action: "skipped" });
    expect(entryOf(held)?.reason).toMatch(
      new RegExp(`^suspended by alice \\(${JOB_URL}\\) at \\S+: incident 42; held back: drifted from git`),
    );
    expect(entryOf(departing)?.action).toBe("skipped");
    expect(entryOf(departing)?.reason).toContain("left git, but kept: suspended by ");
    expect(entryOf(fromGit)).toMatchObject({
      action: "skipped",
      reason: `suspended by git (x-croncd.suspend in stacks/${fromGit}/compose.yaml): waiting for the database move; held back: new in git`,
    });

    // Nothing was touched: the drift stays, the departed stack runs, the git-suspended one was not created.
    expect(await replicas(held)).toBe(2);
    expect(await servicesOf(departing)).toHaveLength(1);
    expect(await servicesOf(fromGit)).toEqual([]);

    const endLine = result.output.trim().split("\n").at(-1) ?? "";
    expect(endLine).toContain("suspended, left alone until croncd resume: ");
    expect(endLine).toContain(`stack ${held} (target ${prefix}): suspended by alice`);
    expect(endLine).toContain(`stack ${fromGit} (target ${prefix}): suspended by git`);
    expect(await readFile(junit, "utf8")).toMatch(
      new RegExp(`<testcase[^>]*name="stack ${held}"[^>]*>\\s*<skipped message="suspended by alice`),
    );

    const plan = await croncd(["plan"]);
    expect(plan.exitCode, plan.output).toBe(0);
    expect(plan.output).toContain(`stack ${held}: skipped — suspended by alice`);
  });

  it("a manual prune of a suspended stack is refused until it is resumed", async () => {
    const result = await croncd(["prune", "--stack", departing]);
    expect(result.exitCode).toBe(1);
    expect(result.output).toContain(`croncd resume --stack ${departing} first, then prune`);
    expect(await servicesOf(departing)).toHaveLength(1);
  });

  it("resumed, the next reconcile heals the drift and prunes what left git", async () => {
    const tasksBefore = await runningTaskIds(`${held}_app`);
    for (const stack of [held, departing]) {
      const resumed = await croncd(["resume", "--stack", stack]);
      expect(resumed.exitCode, resumed.output).toBe(0);
      expect(resumed.output).toContain(`stack ${stack}: configured — resumed (was suspended by `);
    }
    const [service] = await servicesOf(held);
    expect(service?.Spec.Labels?.[SUSPENSION_LABELS.by]).toBeUndefined();
    expect(await runningTaskIds(`${held}_app`)).toEqual(tasksBefore);

    const report = path.join(work, "resumed.json");
    const result = await croncd(["reconcile", "--report", report]);
    const entries = (await readReport(report)).entries;
    expect(entries.find((entry) => entry.name === held)).toMatchObject({ action: "configured", drift: true });
    expect(entries.find((entry) => entry.name === departing)).toMatchObject({ action: "deleted" });
    // Drift healed is still signalled by the exit code, as for any stack.
    expect(result.exitCode, result.output).toBe(2);
    expect(await replicas(held)).toBe(1);
    expect(await servicesOf(departing)).toEqual([]);
    // The git suspension holds: `croncd resume` cannot lift what git says.
    expect(entries.find((entry) => entry.name === fromGit)?.action).toBe("skipped");
    expect(await servicesOf(fromGit)).toEqual([]);
  });

  it("resume of a stack that is not suspended changes nothing and says so", async () => {
    const result = await croncd(["resume", "--stack", held]);
    expect(result.exitCode, result.output).toBe(0);
    expect(result.output).toContain(`stack ${held}: skipped — not suspended; nothing to resume`);
  });
});
