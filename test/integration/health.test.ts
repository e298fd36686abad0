// Every run tells the truth about health, on a real Swarm with the real croncd command: a stack
// whose rollout failed stays failed on later runs (no redeploy), a rollout an earlier run left
// behind is watched rather than deployed again, and a stack removed by hand just before a run is
// created again while Docker is still tearing the old one down.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readReport, runCroncd, startCroncd, writeConfig, type JsonReport } from "../helpers/croncd.js";
import {
  CRASH_LOOP_COMPOSE,
  docker,
  listServices,
  removeAllStacks,
  TEST_IMAGE,
  TEST_IMAGE_V2,
  uniqueStackName,
  waitFor,
} from "../helpers/docker.js";
import { createBareRepo, TestRepo } from "../helpers/git-repo.js";

const prefix = uniqueStackName("health");
/** One target (and folder of the repository) per test, so each run sees only that test's stack. */
const CASES = ["crash", "pause", "slow", "rm"] as const;
type Case = (typeof CASES)[number];

/** Two replicas updated one at a time with a pause between them: an update that takes a while. */
const slow = (image: string) => `x-croncd:
  stableFor: 1s
services:
  app:
    image: ${image}
    command: ["sleep", "3600"]
    stop_grace_period: 1s
    deploy:
      replicas: 2
      update_config: { parallelism: 1, delay: 6s, monitor: 1s, order: start-first }
`;

/** Stops slowly (ignores SIGTERM for 4 s), so its network outlives `docker stack rm` for a while. */
const lingering = `x-croncd:
  stableFor: 0s
services:
  app:
    image: ${TEST_IMAGE}
    command: ["sh", "-c", "trap '' TERM; while true; do sleep 1; done"]
    stop_signal: SIGTERM
    stop_grace_period: 4s
`;

function entryOf(report: JsonReport, stack: string) {
  return report.entries.find((entry) => entry.kind === "stack" && entry.name === stack);
}

async function serviceOf(stack: string) {
  const [service] = await listServices(`com.docker.stack.namespace=${stack}`);
  if (!service) throw new Error(`no service in stack ${stack}`);
  return service;
}

describe("health on every run, on a real Swarm", () => {
  let work: string;
  let bare: string;
  let repo: TestRepo;
  let configFile: string;
  const reportFile = () => path.join(work, "report.json");
  const reconcileTarget = (which: Case) =>
    runCroncd(
      ["reconcile", "--config", configFile, "--report", reportFile(), "--target", `${prefix}-${which}`],
      { cwd: work },
    );
  const publish = async (files: Record<string, string>) => {
    for (const [file, content] of Object.entries(files)) await repo.write(file, content);
    await repo.commit("change");
    await repo.push(bare);
  };

  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), "croncd-health-"));
    bare = await createBareRepo(work, "stacks.git");
    repo = await TestRepo.create(path.join(work, "checkout"), { "README.md": "stacks\n" });
    await repo.push(bare);
    configFile = await writeConfig(
      work,
      [{ name: "platform", url: bare, ref: "main" }],
      CASES.map((which) => ({ name: `${prefix}-${which}`, source: "platform", path: which })),
    );
  });

  afterAll(async () => {
    await removeAllStacks(prefix);
    await rm(work, { recursive: true, force: true });
  });

  it("a crash loop stays a failure on the next run, with its cause, and is not deployed again", async () => {
    const stack = `${prefix}-crash`;
    const reconcile = () => reconcileTarget("crash");
    await publish({ [`crash/${stack}/compose.yaml`]: CRASH_LOOP_COMPOSE });
    const first = await reconcile();
    expect(first.exitCode, first.output).toBe(1);
    expect(entryOf(await readReport(reportFile()), stack)?.reason).toContain("tasks keep failing");

    const before = await serviceOf(stack);
    const second = await reconcile();
    expect(second.exitCode, second.output).toBe(1);
    const entry = entryOf(await readReport(reportFile()), stack);
    expect(entry?.action).toBe("failed");
    expect(entry?.reason).toMatch(/^matches git but is unhealthy \(not redeployed\): /);
    expect(entry?.reason).toContain(`${stack}_app: tasks keep failing`);
    expect(entry?.reason).toContain("task: non-zero exit (3)");
    // No `docker stack deploy`: the service object was not written again.
    const after = await serviceOf(stack);
    expect([after.Version.Index, after.UpdatedAt]).toEqual([before.Version.Index, before.UpdatedAt]);
    await docker(["stack", "rm", stack]);
  });

  it("an update Swarm paused stays a failure on every later run", async () => {
    const stack = `${prefix}-pause`;
    const compose = (image: string) => `services:
  app:
    image: ${image}
    command: ["sleep", "3600"]
    stop_grace_period: 1s
    deploy:
      restart_policy: { delay: 1s }
`;
    const reconcile = () => reconcileTarget("pause");
    await publish({ [`pause/${stack}/compose.yaml`]: compose(TEST_IMAGE) });
    expect((await reconcile()).exitCode).toBe(0);
    await publish({ [`pause/${stack}/compose.yaml`]: compose("croncd-test/nothing:1") });
    const failed = await reconcile();
    expect(failed.exitCode, failed.output).toBe(1);

    for (let run = 0; run < 2; run += 1) {
      const again = await reconcile();
      expect(again.exitCode, again.output).toBe(1);
      const entry = entryOf(await readReport(reportFile()), stack);
      expect(entry?.action).toBe("failed");
      expect(entry?.reason).toContain(`${stack}_app: update paused`);
      expect(entry?.reason).toContain("No such image: croncd-test/nothing:1");
    }
    await docker(["stack", "rm", stack]);
  });

  it("watches a rollout an earlier, cancelled run left behind, instead of deploying it again", async () => {
    const stack = `${prefix}-slow`;
    const reconcile = () => reconcileTarget("slow");
    await publish({ [`slow/${stack}/compose.yaml`]: slow(TEST_IMAGE) });
    const created = await reconcile();
    expect(created.exitCode, created.output).toBe(0);

    // The CI job is cancelled while croncd watches the update it started.
    await publish({ [`slow/${stack}/compose.yaml`]: slow(TEST_IMAGE_V2) });
    const cancelled = startCroncd(["reconcile", "--config", configFile, "--target", `${prefix}-slow`], {
      cwd: work,
    });
    await waitFor(async () => (await serviceOf(stack)).UpdateStatus?.State === "updating", {
      timeoutMs: 60_000,
      intervalMs: 200,
      what: `${stack}_app to start updating`,
    });
    cancelled.kill("SIGKILL");
    await cancelled;

    const next = await reconcile();
    expect(next.exitCode, next.output).toBe(0);
    const entry = entryOf(await readReport(reportFile()), stack);
    expect(entry?.action).toBe("unchanged");
    expect(entry?.reason).toMatch(
      /^matches git; an earlier rollout is still converging: .*; watched: converged/,
    );
    const service = await serviceOf(stack);
    expect(service.UpdateStatus?.State).toBe("completed");
    // Deployed once, by the cancelled run: a second deploy would have made v2 the previous spec.
    const previous = service.PreviousSpec as { TaskTemplate: { ContainerSpec: { Image: string } } };
    expect(previous.TaskTemplate.ContainerSpec.Image).toBe(TEST_IMAGE);
    expect(service.Spec.TaskTemplate.ContainerSpec.Image).toBe(TEST_IMAGE_V2);
  });

  it("creates a stack again right after `docker stack rm`, while Docker still removes its network", async () => {
    const stack = `${prefix}-rm`;
    const reconcile = () => reconcileTarget("rm");
    await publish({ [`rm/${stack}/compose.yaml`]: lingering });
    const created = await reconcile();
    expect(created.exitCode, created.output).toBe(0);

    await docker(["stack", "rm", stack]);
    const again = await reconcile();
    expect(again.exitCode, again.output).toBe(0);
    expect(entryOf(await readReport(reportFile()), stack)?.action).toBe("created");
    const service = await serviceOf(stack);
    expect(service.Spec.Name).toBe(`${stack}_app`);
  });
});
