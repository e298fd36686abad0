// The lock in the Swarm: runs of the real croncd command against the test Swarm, each with a change
// to make. A `docker` on PATH in front of the real one records every `docker stack deploy` with the
// lock's holder at that moment, and can hold a deploy until the test lets it go: that is how the
// tests know who deployed while whom held the lock, by order and never by timing.
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readReport, runCroncd, startCroncd, writeConfig } from "../helpers/croncd.js";
import { docker, removeAllStacks, TEST_IMAGE, uniqueStackName, waitFor } from "../helpers/docker.js";
import { createBareRepo, TestRepo } from "../helpers/git-repo.js";
import { holdSwarmLock, removeSwarmLock, swarmLockHolder } from "../helpers/swarm-lock.js";

const prefix = uniqueStackName("lock");
/** This file's own lock name: the other files' runs use the Swarm's default lock meanwhile. */
const LOCK = `${prefix}-lock`;
const compose = (seconds: number) =>
  `services:\n  app:\n    image: ${TEST_IMAGE}\n    command: ["sleep", "${seconds}"]\n    stop_grace_period: 1s\n`;
/** The lock's create/remove events on the Swarm since `since` (ms), in order, as `ACTION NAME`. */
async function lockEventsSince(since: number): Promise<string[]> {
  const events = await docker([
    "events",
    "--since",
    (since / 1000).toFixed(3),
    "--until",
    String(Math.floor(Date.now() / 1000) + 1),
    "--filter",
    "type=config",
    "--format",
    "{{.Action}} {{.Actor.Attributes.name}}",
  ]);
  return events.split("\n").filter((line) => line.endsWith(` ${LOCK}`));
}

const job = (name: string) => `https://ci.example/jobs/${name}`;

/** Records `deploy STACK by RUN holder=HOLDER`, waits for $CRONCD_TEST_GATE if set, runs docker. */
const shim = (realDocker: string) => `#!/bin/sh
case " $* " in
  *" stack deploy "*)
    for last in "$@"; do :; done
    holder=$("${realDocker}" config inspect --format '{{index .Spec.Labels "io.croncd.lock.holder"}}' "${LOCK}" 2>/dev/null || echo none)
    echo "deploy $last by $CRONCD_TEST_RUN holder=$holder" >> "$CRONCD_TEST_LOG"
    if [ -n "$CRONCD_TEST_GATE" ]; then
      while [ ! -e "$CRONCD_TEST_GATE" ]; do sleep 0.1; done
    fi
    ;;
esac
exec "${realDocker}" "$@"
`;

describe("the lock in the Swarm", () => {
  let work: string;
  let bare: string;
  let repo: TestRepo;
  let binDir: string;
  let deployLog: string;
  const stack = (name: string) => `${prefix}-${name}`;

  /** A config with one target `name` deploying the stacks under `name/`, locking on LOCK. */
  const configFor = (name: string, lock: { wait?: number; ttl?: number } = {}) =>
    writeConfig(
      path.join(work, name),
      [{ name: "platform", url: bare }],
      [{ name: stack(name), source: "platform", path: name, prune: true, lock: { name: LOCK, ...lock } }],
    );
  const envFor = (run: string, gate?: string) => ({
    PATH: `${binDir}:${process.env.PATH ?? ""}`,
    CI_JOB_URL: job(run),
    CRONCD_TEST_RUN: run,
    CRONCD_TEST_LOG: deployLog,
    ...(gate ? { CRONCD_TEST_GATE: gate } : {}),
  });
  const start = (run: string, config: string, gate?: string) =>
    startCroncd(["reconcile", "--config", config, "--report", path.join(work, `${run}.json`)], {
      cwd: work,
      env: envFor(run, gate),
    });
  const deploys = async () =>
    (await readFile(deployLog, "utf8").catch(() => "")).split("\n").filter((line) => line !== "");
  const lockHolder = () => swarmLockHolder(LOCK);
  const publish = async (files: Record<string, string>) => {
    for (const [file, content] of Object.entries(files)) await repo.write(file, content);
    await repo.commit("change");
    await repo.push(bare);
  };
  /** Collects what a started run prints, so a test can wait for a line. */
  const watchOutput = (child: ReturnType<typeof startCroncd>) => {
    let text = "";
    child.stderr?.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")));
    return () => text;
  };

  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), "croncd-lock-"));
    binDir = path.join(work, "bin");
    deployLog = path.join(work, "deploys.log");
    await mkdir(binDir);
    const realDocker = (await execa("sh", ["-c", "command -v docker"])).stdout.trim();
    await writeFile(path.join(binDir, "docker"), shim(realDocker));
    await chmod(path.join(binDir, "docker"), 0o755);
    bare = await createBareRepo(work, "stacks.git");
    repo = await TestRepo.create(path.join(work, "checkout"), { "README.md": "stacks\n" });
    await repo.push(bare);
  });

  afterAll(async () => {
    await removeAllStacks(prefix);
    await removeSwarmLock(LOCK);
    await rm(work, { recursive: true, force: true });
  });

  it("makes a second run wait while the first deploys, and one that may not wait fail naming the holder", async () => {
    await publish({
      [`a/${stack("a")}/compose.yaml`]: compose(3601),
      [`b/${stack("b")}/compose.yaml`]: compose(3602),
      [`c/${stack("c")}/compose.yaml`]: compose(3603),
    });
    const [configA, configB, configC] = await Promise.all([
      configFor("a"),
      configFor("b"),
      configFor("c", { wait: 1 }),
    ]);
    const gate = path.join(work, "gate-a");
    const runA = start("a", configA, gate);
    await waitFor(async () => (await deploys()).length === 1, { timeoutMs: 60_000, what: "run a to deploy" });
    expect(await lockHolder()).toBe(job("a"));

    // A run that may wait 1 s: fails, naming who holds the lock and since when, and deploys nothing.
    const runC = await runCroncd(["reconcile", "--config", configC, "--report", path.join(work, "c.json")], {
      cwd: work,
      env: envFor("c"),
    });
    expect(runC.exitCode, runC.output).toBe(1);
    const reportC = await readReport(path.join(work, "c.json"));
    expect(reportC.entries).toEqual([
      expect.objectContaining({ kind: "target", name: stack("c"), action: "failed" }),
    ]);
    expect(reportC.entries[0]?.reason).toMatch(
      new RegExp(
        `^Swarm config ${LOCK} is held by https://ci\\.example/jobs/a since \\S+Z \\(expires \\S+Z unless renewed\\); ` +
          "gave up after waiting 1s \\(lock\\.wait\\): nothing was applied or pruned",
      ),
    );
    expect(reportC.entries[0]?.reason).toContain(`to clear it now: docker config rm ${LOCK}`);

    // A run that may wait: says it waits, and has not deployed while run a holds the lock.
    const runB = start("b", configB);
    const outputB = watchOutput(runB);
    await waitFor(() => outputB().includes(`is held by ${job("a")}`), {
      timeoutMs: 60_000,
      what: "run b to wait for the lock",
    });
    expect(outputB()).toMatch(/waiting for it, up to 600s \(lock\.wait\)/);
    expect(await deploys()).toEqual([`deploy ${stack("a")} by a holder=${job("a")}`]);

    await writeFile(gate, "");
    const [doneA, doneB] = await Promise.all([runA, runB]);
    expect(doneA.exitCode, String(doneA.stderr)).toBe(0);
    expect(doneB.exitCode, String(doneB.stderr)).toBe(0);
    // b deployed after a, under its own lock; c never deployed.
    expect(await deploys()).toEqual([
      `deploy ${stack("a")} by a holder=${job("a")}`,
      `deploy ${stack("b")} by b holder=${job("b")}`,
    ]);
    expect((await readReport(path.join(work, "b.json"))).entries).toEqual([
      expect.objectContaining({ name: stack("b"), action: "created" }),
    ]);
    expect(await lockHolder()).toBeUndefined();
  });

  it("takes over the lock of a run killed with SIGKILL once it expired, and releases on SIGTERM", async () => {
    await rm(deployLog, { force: true });
    await publish({
      [`k/${stack("k")}/compose.yaml`]: compose(3604),
      [`n/${stack("n")}/compose.yaml`]: compose(3605),
      [`t/${stack("t")}/compose.yaml`]: compose(3606),
    });
    const [configK, configN, configT] = await Promise.all([
      configFor("k", { ttl: 3 }),
      configFor("n"),
      configFor("t"),
    ]);
    const gate = path.join(work, "gate-k");
    const killed = start("k", configK, gate);
    await waitFor(async () => (await deploys()).length === 1, { timeoutMs: 60_000, what: "run k to deploy" });
    killed.kill("SIGKILL");
    await killed;
    await writeFile(gate, "");
    // Left behind: nobody released it.
    expect(await lockHolder()).toBe(job("k"));

    const next = await runCroncd(["reconcile", "--config", configN], { cwd: work, env: envFor("n") });
    expect(next.exitCode, next.output).toBe(0);
    expect(next.output).toContain(
      `Swarm config ${LOCK}: taking over the expired lock held by ${job("k")} since`,
    );
    expect((await deploys()).at(-1)).toBe(`deploy ${stack("n")} by n holder=${job("n")}`);
    expect(await lockHolder()).toBeUndefined();

    // A cancelled job (SIGTERM) leaves no lock behind.
    const gateT = path.join(work, "gate-t");
    const cancelled = start("t", configT, gateT);
    await waitFor(async () => (await deploys()).some((line) => line.includes(" by t ")), {
      timeoutMs: 60_000,
      what: "run t to deploy",
    });
    expect(await lockHolder()).toBe(job("t"));
    cancelled.kill("SIGTERM");
    const ended = await cancelled;
    await writeFile(gateT, "");
    expect(ended.exitCode).toBe(143);
    expect(await lockHolder()).toBeUndefined();
  });

  it("plan and validate never create the lock, even with changes pending", async () => {
    await publish({ [`p/${stack("p")}/compose.yaml`]: compose(3607) });
    const config = await configFor("p");
    const since = Date.now();
    const plan = await runCroncd(["plan", "--config", config], { cwd: work, env: envFor("p") });
    expect(plan.exitCode, plan.output).toBe(2);
    const validate = await runCroncd(["validate", "--config", config], { cwd: work, env: envFor("p") });
    expect(validate.exitCode, validate.output).toBe(0);
    expect(await lockEventsSince(since)).toEqual([]);
  });

  it("croncd prune takes the lock around the removal, and removes nothing while another run holds it", async () => {
    await publish({ [`r/${stack("r")}/compose.yaml`]: compose(3608) });
    const config = await configFor("r", { wait: 1 });
    const deployed = await runCroncd(["reconcile", "--config", config], { cwd: work, env: envFor("r") });
    expect(deployed.exitCode, deployed.output).toBe(0);
    const prune = () =>
      runCroncd(["prune", "--config", config, "--stack", stack("r")], { cwd: work, env: envFor("r") });

    // Another run's lock, as croncd writes it, live for a while.
    await holdSwarmLock(LOCK, job("other"), new Date(Date.now() + 120_000));
    const refused = await prune();
    expect(refused.exitCode, refused.output).toBe(1);
    expect(refused.output).toContain(
      `stack ${stack("r")} not pruned: Swarm config ${LOCK} is held by ${job("other")}`,
    );
    expect(await docker(["stack", "ls", "--format", "{{.Name}}"])).toContain(stack("r"));

    await removeSwarmLock(LOCK);
    const since = Date.now();
    const removed = await prune();
    expect(removed.exitCode, removed.output).toBe(0);
    expect(await lockEventsSince(since)).toEqual([`create ${LOCK}`, `remove ${LOCK}`]);
  });
});
