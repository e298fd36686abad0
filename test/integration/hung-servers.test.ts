// Servers that accept the connection and never answer — a hung git server, a wedged Docker daemon —
// and a CI job cancelled or killed while croncd waits for them. croncd must end within the time it
// was given, say what it waited for, and leave no child process (git's transport helpers, docker
// CLIs) or workspace behind.
import { mkdir, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { runCroncd, startCroncd, writeConfig } from "../helpers/croncd.js";
import { listServices, TEST_IMAGE, uniqueStackName, waitFor } from "../helpers/docker.js";
import { createBareRepo, TestRepo } from "../helpers/git-repo.js";
import { descendantsOf, processesMentioning, stillRunning } from "../helpers/processes.js";
import { startSilentServer, type SilentServer } from "../helpers/silent-server.js";

const stack = uniqueStackName("hung");
const compose = `services:
  app:
    image: ${TEST_IMAGE}
    command: ["sleep", "3600"]
`;

describe("servers that accept and never answer", () => {
  let work: string;
  let bare: string;
  const servers: SilentServer[] = [];
  /** Process groups a failed test may leave running (a SIGKILLed croncd's children): ended after it. */
  const orphans: number[] = [];

  const silent = async (socketPath?: string) => {
    const server = await startSilentServer(socketPath);
    servers.push(server);
    return server;
  };

  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), "croncd-hung-"));
    bare = await createBareRepo(work, "stacks.git");
    const repo = await TestRepo.create(path.join(work, "checkout"), {
      [`stacks/${stack}/compose.yaml`]: compose,
    });
    await repo.push(bare);
  });

  afterEach(async () => {
    for (const pid of orphans.splice(0)) {
      try {
        process.kill(-pid, "SIGKILL");
      } catch {
        // Gone already.
      }
    }
    for (const server of servers.splice(0)) await server.stop();
  });

  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  /** A config whose source is the silent git server (a 2 s stall timeout) and target the test Swarm. */
  const hungGitConfig = async (name: string, server: SilentServer) =>
    writeConfig(
      path.join(work, name),
      [{ name: "platform", url: `http://${server.address}/stacks.git`, stallTimeout: 2 }],
      [{ name: stack, source: "platform", path: "stacks" }],
    );

  /** A config whose source is fine and whose Docker daemon is the silent socket. */
  const hungDockerConfig = async (name: string, socketPath: string, timeout: number) =>
    writeConfig(
      path.join(work, name),
      [{ name: "platform", url: bare }],
      [
        {
          name: stack,
          source: "platform",
          path: "stacks",
          docker: { host: `unix://${socketPath}`, timeout },
        },
      ],
    );

  /**
   * Waits until croncd has a child whose command line mentions `program` and a connection to the
   * silent server, cancels croncd as CI does (SIGTERM), and checks that none of its children
   * outlived it.
   */
  const cancelWhileConnected = async (
    child: ReturnType<typeof startCroncd>,
    server: SilentServer,
    program: string,
  ) => {
    const children = await waitFor(
      async () => {
        const found = await descendantsOf(child.pid as number);
        return server.open > 0 && found.some((entry) => entry.command.includes(program)) && found;
      },
      { timeoutMs: 30_000, what: `${program} connected to the silent server` },
    );
    child.kill("SIGTERM");
    const result = await child;
    expect(result.exitCode).toBe(143);
    // Killed on croncd's way out: gone a moment later (a killed process takes a little to end).
    await waitFor(async () => (await stillRunning(children.map((entry) => entry.pid))).length === 0, {
      timeoutMs: 10_000,
      what: `croncd's children to end: ${JSON.stringify(children)}`,
    });
    await waitFor(() => server.open === 0, { timeoutMs: 10_000, what: "croncd's connections to close" });
    return result;
  };

  for (const command of ["reconcile", "plan"]) {
    it(`git: ${command} ends with "source unavailable" after the stall timeout, and no git process is left`, async () => {
      const server = await silent();
      const config = await hungGitConfig(`git-${command}`, server);
      // The bound: far below anything a stuck git would reach, far above the 2 s configured.
      const result = await runCroncd([command, "--config", config], { cwd: work, timeoutMs: 60_000 });
      // A silent server is away, not wrong: "unavailable" has its own exit code.
      expect(result.exitCode, result.output).toBe(3);
      expect(result.output).toContain(
        `source platform: source unavailable: the git server sent nothing for 2s during git fetch of http://${server.address}/stacks.git: stopped waiting`,
      );
      expect(result.output).toContain("raise the source's stallTimeout");
      expect(server.accepted).toBeGreaterThan(0);
      // git-remote-http holds the connection; it is gone once the connection is.
      await waitFor(() => server.open === 0, { timeoutMs: 10_000, what: "the git connection to close" });
      expect(await processesMentioning(server.address)).toEqual([]);
      expect(await listServices(`com.docker.stack.namespace=${stack}`)).toEqual([]);
    });
  }

  for (const command of ["reconcile", "plan"]) {
    it(`docker: ${command} ends after docker.timeout, saying what it waited for`, async () => {
      const socket = path.join(work, `docker-${command}.sock`);
      const server = await silent(socket);
      const config = await hungDockerConfig(`docker-${command}`, socket, 2);
      const result = await runCroncd([command, "--config", config], { cwd: work, timeoutMs: 60_000 });
      expect(result.exitCode, result.output).toBe(3);
      // The live state is two reads side by side (services, tasks): either may be the one named.
      expect(result.output).toContain(`the Docker daemon at unix://${socket} did not answer in time: GET /`);
      expect(result.output).toMatch(
        /GET \/(services|tasks)\S* got no answer within 2s and was stopped \(docker\.timeout\)/,
      );
      expect(result.output).toContain("raise docker.timeout / docker.deployTimeout");
      await waitFor(() => server.open === 0, { timeoutMs: 10_000, what: "the docker connections to close" });
      expect(await processesMentioning(socket)).toEqual([]);
    });
  }

  it("SIGTERM while git fetch hangs: croncd ends its git processes before exiting", async () => {
    const server = await silent();
    const config = await writeConfig(
      path.join(work, "sigterm-git"),
      [{ name: "platform", url: `http://${server.address}/stacks.git` }],
      [{ name: stack, source: "platform", path: "stacks" }],
    );
    const child = startCroncd(["reconcile", "--config", config], { cwd: work, timeoutMs: 60_000 });
    const result = await cancelWhileConnected(child, server, "remote-http");
    expect(result.stderr).toContain("received SIGTERM, stopping its programs");
  });

  it("SIGTERM while a docker call hangs: croncd ends its docker processes before exiting", async () => {
    const socket = path.join(work, "sigterm-docker.sock");
    const server = await silent(socket);
    const config = await hungDockerConfig("sigterm-docker", socket, 600);
    const child = startCroncd(["reconcile", "--config", config], { cwd: work, timeoutMs: 60_000 });
    await cancelWhileConnected(child, server, "docker");
  });

  it("SIGTERM during croncd prune (no workspace, no clone): its docker processes end too", async () => {
    const socket = path.join(work, "sigterm-prune.sock");
    const server = await silent(socket);
    const config = await hungDockerConfig("sigterm-prune", socket, 600);
    const child = startCroncd(["prune", "--config", config, "--stack", stack], {
      cwd: work,
      timeoutMs: 60_000,
    });
    await cancelWhileConnected(child, server, "docker");
  });

  it("a run killed with SIGKILL leaves its children and workspace; the next run ends and removes them", async () => {
    const scratch = path.join(work, "tmp-sigkill");
    await mkdir(scratch);
    const socket = path.join(work, "sigkill.sock");
    const server = await silent(socket);
    const config = await hungDockerConfig("sigkill", socket, 600);
    const killed = startCroncd(["reconcile", "--config", config], {
      cwd: work,
      env: { TMPDIR: scratch },
      timeoutMs: 60_000,
    });
    // Cloned (the workspace holds the checkout) and waiting on docker.
    const checkout = async () => {
      const [workspace] = await readdir(scratch);
      const stacks = path.join(scratch, workspace ?? "-", "sources", "platform", "stacks");
      return (
        (await readdir(stacks).catch((): string[] => [])).includes(stack) &&
        path.join(scratch, workspace as string)
      );
    };
    const leftover = await waitFor(checkout, {
      timeoutMs: 30_000,
      what: "the checkout in croncd's workspace",
    });
    const children = await waitFor(
      async () => {
        const found = await descendantsOf(killed.pid as number);
        return server.open > 0 && found.some((entry) => entry.command.includes("docker")) && found;
      },
      { timeoutMs: 30_000, what: "croncd waiting on the silent daemon" },
    );
    killed.kill("SIGKILL");
    await killed;
    // Nothing in croncd runs after SIGKILL: its children and its workspace stay behind.
    orphans.push(...children.map((entry) => entry.pid));
    expect(await stillRunning(children.map((entry) => entry.pid))).not.toEqual([]);
    expect(await readdir(scratch)).toEqual([path.basename(leftover)]);

    const next = await runCroncd(["validate", "--config", config], { cwd: work, env: { TMPDIR: scratch } });
    expect(next.exitCode, next.output).toBe(0);
    expect(next.output).toContain(`left running by croncd process ${killed.pid}, which was killed`);
    expect(next.output).toContain(`removed ${leftover}, left behind by croncd process ${killed.pid}`);
    expect(await readdir(scratch)).toEqual([]);
    await waitFor(async () => (await stillRunning(children.map((entry) => entry.pid))).length === 0, {
      timeoutMs: 10_000,
      what: "the killed run's children to end",
    });
    await waitFor(() => server.open === 0, { timeoutMs: 10_000, what: "their connections to close" });
  });

  it("a workspace of a run still going is left alone", async () => {
    const scratch = path.join(work, "tmp-alive");
    await mkdir(scratch);
    const socket = path.join(work, "alive.sock");
    const server = await silent(socket);
    const config = await hungDockerConfig("alive", socket, 600);
    const running = startCroncd(["reconcile", "--config", config], {
      cwd: work,
      env: { TMPDIR: scratch },
      timeoutMs: 60_000,
    });
    await waitFor(async () => server.open > 0 && (await readdir(scratch)).length > 0, {
      timeoutMs: 30_000,
      what: "croncd's workspace and its docker call",
    });
    const [workspace] = await readdir(scratch);
    const other = await runCroncd(["validate", "--config", config], { cwd: work, env: { TMPDIR: scratch } });
    expect(other.exitCode, other.output).toBe(0);
    expect(await readdir(scratch)).toEqual([workspace]);
    running.kill("SIGTERM");
    expect((await running).exitCode).toBe(143);
    expect(await readdir(scratch)).toEqual([]);
  });
});
