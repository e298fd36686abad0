// The Docker daemon dies while croncd watches a rollout, and comes back: the run that was cut off
// fails, and the next run (nothing changed in git) tells the truth about the stacks instead of
// "unchanged — matches git". Uses its own private daemon: the shared test daemon must never be
// killed, other test files use it at the same time.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { execa } from "execa";
import { stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readReport, runCroncd, startCroncd } from "../helpers/croncd.js";
import { CRASH_LOOP_COMPOSE, TEST_IMAGE, waitFor } from "../helpers/docker.js";
import { createBareRepo, TestRepo } from "../helpers/git-repo.js";
import { startPrivateSwarm, type PrivateSwarm } from "../helpers/swarm/index.js";

const healthy = `x-croncd:
  stableFor: 1s
services:
  app:
    image: ${TEST_IMAGE}
    command: ["sleep", "3600"]
    stop_grace_period: 1s
`;

describe("the daemon killed mid-watch and restarted", () => {
  let swarm: PrivateSwarm;
  let work: string;
  let configFile: string;

  beforeAll(async () => {
    swarm = await startPrivateSwarm({ images: [TEST_IMAGE], log: () => undefined });
    work = await mkdtemp(path.join(tmpdir(), "croncd-crash-"));
    const bare = await createBareRepo(work, "stacks.git");
    const repo = await TestRepo.create(path.join(work, "checkout"), {
      "stacks/broken/compose.yaml": CRASH_LOOP_COMPOSE,
      "stacks/fine/compose.yaml": healthy,
    });
    await repo.push(bare);
    await mkdir(work, { recursive: true });
    configFile = path.join(work, "croncd.yaml");
    await writeFile(
      configFile,
      stringify({
        sources: [{ name: "platform", url: bare, ref: "main" }],
        targets: [
          {
            name: "crash",
            type: "swarm",
            source: "platform",
            path: "stacks",
            resolveImage: "never",
            docker: { host: swarm.host },
          },
        ],
      }),
    );
  }, 120_000);

  afterAll(async () => {
    await swarm?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it("the next run reports the crash loop it could not watch, and what converged", async () => {
    const docker = (args: string[]) => execa("docker", args, { env: swarm.env });
    const cutOff = startCroncd(["reconcile", "--config", configFile], { cwd: work });
    // Both stacks deployed, the watch under way: the daemon dies.
    await waitFor(
      async () =>
        (await docker(["service", "ls", "--quiet"]).catch(() => ({ stdout: "" }))).stdout
          .split("\n")
          .filter(Boolean).length === 2,
      { timeoutMs: 60_000, intervalMs: 100, what: "croncd to deploy both stacks" },
    );
    await swarm.crashAndRestart();
    const interrupted = await cutOff;
    expect(interrupted.exitCode, String(interrupted.stdout)).toBe(1);

    const inspect = async () =>
      JSON.parse((await docker(["service", "inspect", "broken_app"])).stdout) as [
        { Version: { Index: number }; UpdatedAt: string },
      ];
    const [before] = await inspect();
    const reportFile = path.join(work, "report.json");
    const next = await runCroncd(["reconcile", "--config", configFile, "--report", reportFile], {
      cwd: work,
    });
    expect(next.exitCode, next.output).toBe(1);
    const entries = new Map((await readReport(reportFile)).entries.map((entry) => [entry.name, entry]));
    expect(entries.get("broken")?.action).toBe("failed");
    expect(entries.get("broken")?.reason).toMatch(/^matches git/);
    expect(entries.get("broken")?.reason).toContain("broken_app: tasks keep failing");
    expect(entries.get("broken")?.reason).toContain("task: non-zero exit (3)");
    expect(entries.get("fine")?.action).toBe("unchanged");
    expect(entries.get("fine")?.reason).toMatch(/^matches git/);
    // Reported, not deployed again: the service object was not written.
    const [after] = await inspect();
    expect([after.Version.Index, after.UpdatedAt]).toEqual([before.Version.Index, before.UpdatedAt]);
  }, 240_000);
});
