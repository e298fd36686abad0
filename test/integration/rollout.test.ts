// waitForRollout against the real test Swarm: stacks are deployed here with `docker stack deploy`
// (detached, as croncd does), then watched. Failures must come back with the daemon's own words, a
// rollback must never pass, and a slow but healthy rollout must not fail.
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { createDockerCli, type DockerCli } from "../../src/ports/docker.js";
import { waitForRollout, type RolloutOptions } from "../../src/targets/swarm/rollout.js";
import {
  docker,
  dockerHost,
  removeAllStacks,
  TEST_IMAGE,
  TEST_IMAGE_V2,
  uniqueStackName,
  waitFor,
} from "../helpers/docker.js";

const prefix = uniqueStackName("rollout");
const cli = createDockerCli({ host: dockerHost() });

const deployed: string[] = [];

async function deploy(stack: string, compose: string): Promise<Date> {
  deployed.push(stack);
  const since = new Date();
  await docker(["stack", "deploy", "--resolve-image", "never", "--compose-file", "-", stack], {
    input: compose,
  });
  return since;
}

/** Deploys a first version and waits (without waitForRollout) until its one task runs. */
async function deployRunning(stack: string, compose: string): Promise<void> {
  await deploy(stack, compose);
  await waitFor(
    async () =>
      (
        await docker(["service", "ls", "--filter", `name=${stack}_app`, "--format", "{{.Replicas}}"])
      ).trim() === "1/1",
    { timeoutMs: 30_000, intervalMs: 250, what: `${stack}_app to run` },
  );
}

function watch(stack: string, since: Date, extra: Partial<RolloutOptions> = {}, using: DockerCli = cli) {
  return waitForRollout(using, stack, { since, timeoutMs: 30_000, pollMs: 500, ...extra });
}

/** Counts the docker calls made through it, by verb. */
function countingCli(inner: DockerCli): { cli: DockerCli; calls: string[][] } {
  const calls: string[][] = [];
  return {
    calls,
    cli: {
      run: (args, options) => (calls.push([...args]), inner.run(args, options)),
      tryRun: (args, options) => (calls.push([...args]), inner.tryRun(args, options)),
      getJson: (apiPath, options) => (calls.push(["GET", apiPath]), inner.getJson(apiPath, options)),
      tryRequest: (request, options) => (
        calls.push([request.method, request.path]),
        inner.tryRequest(request, options)
      ),
    },
  };
}

/** One long-running service; `extra` is indented YAML under the service. */
const sleeper = (image: string, extra = "") => `services:
  app:
    image: ${image}
    command: ["sleep", "3600"]
    stop_grace_period: 1s
${extra}`;

describe("waitForRollout on a real Swarm", () => {
  // Crash-looping leftovers would slow the next tests down: asked to go at once (networks may
  // still be in use for a moment, which `docker stack rm` reports), waited for at the end.
  afterEach(async () => {
    const stacks = [...new Set(deployed.splice(0))];
    if (stacks.length > 0) await docker(["stack", "rm", ...stacks]).catch(() => undefined);
  });
  afterAll(async () => {
    await removeAllStacks(prefix);
  });

  it("reports a missing image with the daemon's own error", async () => {
    const stack = `${prefix}-noimg`;
    const since = await deploy(
      stack,
      `services:
  app:
    image: croncd-test/nothing:1
    command: ["sleep", "3600"]
    deploy:
      restart_policy: { delay: 1s }
`,
    );
    const outcome = await watch(stack, since);
    expect(outcome.ok).toBe(false);
    expect(outcome.reason).toContain(`${stack}_app: tasks keep failing`);
    expect(outcome.reason).toContain("No such image: croncd-test/nothing:1");
    expect(outcome.services).toEqual([
      { name: `${stack}_app`, state: "crash_loop", error: "No such image: croncd-test/nothing:1" },
    ]);
  });

  it("reports an update that Swarm paused (missing image, default failure_action)", async () => {
    const stack = `${prefix}-pause`;
    const restart = `    deploy:
      restart_policy: { delay: 1s }
`;
    await deployRunning(stack, sleeper(TEST_IMAGE, restart));
    const since = await deploy(stack, sleeper("croncd-test/nothing:2", restart));
    const outcome = await watch(stack, since);
    expect(outcome.ok).toBe(false);
    expect(outcome.services[0]?.state).toBe("paused");
    expect(outcome.reason).toMatch(
      new RegExp(
        `^${stack}_app: update paused: update paused due to failure or early termination of task \\w+`,
      ),
    );
    expect(outcome.services[0]?.error).toBe("No such image: croncd-test/nothing:2");
  });

  it("reports a container that exits 1", async () => {
    const stack = `${prefix}-exit`;
    const since = await deploy(
      stack,
      `services:
  app:
    image: ${TEST_IMAGE}
    command: ["false"]
    deploy:
      restart_policy: { delay: 1s }
`,
    );
    const outcome = await watch(stack, since);
    expect(outcome.ok).toBe(false);
    expect(outcome.services[0]).toEqual({
      name: `${stack}_app`,
      state: "crash_loop",
      error: "task: non-zero exit (1)",
    });
    expect(outcome.reason).toMatch(/failed \d+ times since the deploy: task: non-zero exit \(1\)$/);
  });

  it("never takes an update that Swarm rolled back for a success", async () => {
    const stack = `${prefix}-rb`;
    const update = `    deploy:
      restart_policy: { delay: 1s }
      update_config: { failure_action: rollback, monitor: 5s, order: start-first }
`;
    await deployRunning(stack, sleeper(TEST_IMAGE, update));

    const since = await deploy(
      stack,
      sleeper(
        TEST_IMAGE_V2,
        `    healthcheck:
      test: ["CMD", "false"]
      interval: 1s
      timeout: 1s
      retries: 1
${update}`,
      ),
    );
    const outcome = await watch(stack, since);
    expect(outcome.ok).toBe(false);
    expect(outcome.services[0]?.state).toMatch(/^rollback_/);
    expect(outcome.reason).toMatch(new RegExp(`^${stack}_app: roll(ing|ed) back: `));
    expect(outcome.services[0]?.error).toContain("unhealthy container");

    // Once the rollback is over the service runs v1 again, healthy: still a failure of this deploy.
    const service = `${stack}_app`;
    await waitFor(
      async () =>
        (await docker(["service", "inspect", "--format", "{{.UpdateStatus.State}}", service])).trim() ===
        "rollback_completed",
      { timeoutMs: 30_000, intervalMs: 500, what: `${service} to finish its rollback` },
    );
    const after = await watch(stack, since);
    expect(after.ok).toBe(false);
    expect(after.services).toEqual([
      {
        name: service,
        state: "rollback_completed",
        error: expect.stringContaining("unhealthy container") as string,
      },
    ]);
    expect(after.reason).toContain(`${service}: rolled back: rollback completed: task: non-zero exit (137)`);
  });

  it("waits for a slow but healthy rollout, in three docker calls per look", async () => {
    const stack = `${prefix}-slow`;
    const compose = (image: string) => `services:
  app:
    image: ${image}
    command: ["sleep", "3600"]
    stop_grace_period: 1s
    healthcheck:
      test: ["CMD", "true"]
      interval: 1s
      start_period: 2s
    deploy:
      replicas: 2
      update_config: { parallelism: 1, delay: 2s, monitor: 1s, order: start-first }
  side:
    image: ${TEST_IMAGE}
    command: ["sleep", "3600"]
    stop_grace_period: 1s
    deploy:
      update_config: { monitor: 2s }
`;
    const v1 = await deploy(stack, compose(TEST_IMAGE));
    const first = await watch(stack, v1);
    expect(first.ok, first.reason).toBe(true);
    expect(first.services.map((service) => service.state)).toEqual(["running", "running"]);

    const since = await deploy(stack, compose(TEST_IMAGE_V2));
    const counting = countingCli(cli);
    const outcome = await watch(stack, since, {}, counting.cli);
    const tookMs = Date.now() - since.getTime();
    expect(outcome.ok, outcome.reason).toBe(true);
    expect(outcome.reason).toMatch(/^converged in \d+\.\ds$/);
    expect(outcome.services).toEqual([
      { name: `${stack}_app`, state: "completed" },
      { name: `${stack}_side`, state: "running" },
    ]);
    // Two tasks replaced one after the other, 2 s apart, each healthy after its start period.
    expect(tookMs).toBeGreaterThan(4000);
    const [app] = JSON.parse(await docker(["service", "inspect", `${stack}_app`])) as {
      UpdateStatus?: { State?: string };
    }[];
    expect(app?.UpdateStatus?.State).toBe("completed");

    const verbs = counting.calls.map((args) => args.slice(0, 2).join(" "));
    const looks = verbs.filter((verb) => verb === "service ls").length;
    expect(looks).toBeGreaterThan(2);
    expect(verbs).toEqual(
      Array.from({ length: looks }, () => ["service ls", "service inspect", "service ps"]).flat(),
    );
    for (const args of counting.calls.filter((call) => call[1] === "ps")) {
      expect(args.length).toBe(5 + 2); // service ps --no-trunc --format {{json .}} <2 service IDs>
    }
  });

  it("passes a replicated job that completes and reports one that fails", async () => {
    const stack = `${prefix}-job`;
    const ok = await deploy(
      stack,
      `services:
  once:
    image: ${TEST_IMAGE}
    command: ["sh", "-c", "sleep 1"]
    deploy:
      mode: replicated-job
      replicas: 2
`,
    );
    const done = await watch(stack, ok);
    expect(done.ok, done.reason).toBe(true);
    expect(done.services).toEqual([{ name: `${stack}_once`, state: "complete" }]);

    const badStack = `${prefix}-badjob`;
    const since = await deploy(
      badStack,
      `services:
  once:
    image: ${TEST_IMAGE}
    command: ["sh", "-c", "exit 3"]
    deploy:
      mode: replicated-job
      restart_policy: { condition: on-failure, delay: 1s, max_attempts: 1 }
`,
    );
    const failed = await watch(badStack, since);
    expect(failed.ok).toBe(false);
    expect(failed.services).toEqual([
      { name: `${badStack}_once`, state: "gave_up", error: "task: non-zero exit (3)" },
    ]);
    expect(failed.reason).toContain(
      "Swarm will not restart it (restart_policy condition: on-failure, max_attempts: 1)",
    );
  });

  it("times out on a service that cannot be scheduled, saying why", async () => {
    const stack = `${prefix}-nonode`;
    const since = await deploy(
      stack,
      sleeper(
        TEST_IMAGE,
        `    deploy:
      placement:
        constraints: [node.labels.croncd-nowhere == yes]
`,
      ),
    );
    const outcome = await watch(stack, since, { timeoutMs: 3000 });
    expect(outcome.ok).toBe(false);
    expect(outcome.reason).toMatch(
      new RegExp(`^timed out after \\d+\\.\\ds: ${stack}_app: 0/1 running: no suitable node \\(`),
    );
    expect(outcome.services[0]?.state).toBe("starting");
  });
});
