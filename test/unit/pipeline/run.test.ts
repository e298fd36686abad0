// The pipeline on its own (run → render → plan → apply → prune, exit codes, the incomplete-state
// rule), driven over an in-memory target so it runs without Docker; git checkouts are real.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { pruneItem } from "../../../src/commands/prune-item.js";
import type { CroncdConfig } from "../../../src/config/schema.js";
import { ExitCode } from "../../../src/errors.js";
import type { ChangeSetEntry } from "../../../src/model/changeset.js";
import type { RunMode } from "../../../src/pipeline/commands.js";
import { exitCodeFor, run } from "../../../src/pipeline/run.js";
import { createLogger } from "../../../src/report/logger.js";
import { createBareRepo, TestRepo } from "../../helpers/git-repo.js";
import { memoryTargetConfig, memoryWorld, type MemoryTargetConfig } from "./memory-target.js";

describe("the pipeline over an in-memory target", () => {
  let work: string;
  let bare: string;
  let repo: TestRepo;

  let commits = 0;
  async function commit(files: Record<string, string | null>): Promise<void> {
    // Always something to commit, even when a test resets to the state already in git.
    commits += 1;
    await repo.write("COMMITS", String(commits));
    for (const [file, content] of Object.entries(files)) {
      if (content === null) await repo.remove(file);
      else await repo.write(file, content);
    }
    await repo.commit("change");
    await repo.push(bare);
  }

  async function runMode(
    mode: RunMode,
    targets: MemoryTargetConfig[] = [memoryTargetConfig("alpha")],
    url = bare,
  ) {
    const config = {
      sources: [{ name: "platform", url, ref: "main", stallTimeout: 60, submodules: false }],
      targets,
    } as unknown as CroncdConfig;
    const log = createLogger({ stream: new Writable({ write: (_chunk, _encoding, done) => done() }) });
    memoryWorld.calls.length = 0;
    const outcome = await run({ mode, config, configFile: path.join(work, "croncd.yaml"), log });
    const byName = Object.fromEntries(outcome.entries.map((entry) => [entry.name, entry]));
    return { ...outcome, byName };
  }

  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), "croncd-pipeline-"));
    bare = await createBareRepo(work, "config.git");
    repo = await TestRepo.create(path.join(work, "checkout"), { "README.md": "config\n" });
    await repo.push(bare);
  });

  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  beforeEach(async () => {
    memoryWorld.reset();
    await commit({ alpha: null, beta: null, "alpha/items/web": "v1", "alpha/items/api": "v1" });
  });

  it("creates, then applies nothing when nothing changed, then updates what changed", async () => {
    const first = await runMode("reconcile");
    expect(first.exitCode).toBe(ExitCode.ok);
    expect(first.byName.web).toMatchObject({ kind: "release", target: "alpha", action: "created" });
    expect(memoryWorld.calls).toEqual(["apply api", "apply web"]);

    const again = await runMode("reconcile");
    expect(again.exitCode).toBe(ExitCode.ok);
    expect(again.entries.map((entry) => entry.action)).toEqual(["unchanged", "unchanged"]);
    expect(memoryWorld.calls).toEqual([]);

    await commit({ "alpha/items/web": "v2" });
    const planned = await runMode("plan");
    expect(planned.exitCode).toBe(ExitCode.changes);
    expect(planned.byName.web).toMatchObject({ action: "configured", details: ["value: v1 → v2"] });
    expect(memoryWorld.calls).toEqual([]);

    const changed = await runMode("reconcile");
    expect(changed.byName.web?.action).toBe("configured");
    expect(memoryWorld.calls).toEqual(["apply web"]);
    expect(memoryWorld.live.get("web")?.value).toBe("v2");
  });

  it("prunes an owned item that left git, never one croncd does not own", async () => {
    await runMode("reconcile");
    memoryWorld.live.set("by-hand", { value: "x" });
    await commit({ "alpha/items/api": null });
    const outcome = await runMode("reconcile");
    expect(outcome.byName.api).toMatchObject({ action: "deleted", reason: "left git" });
    expect(outcome.byName["by-hand"]).toBeUndefined();
    expect(memoryWorld.live.has("by-hand")).toBe(true);
    expect(memoryWorld.live.has("api")).toBe(false);
  });

  it("prunes nothing anywhere while any target's desired state is incomplete", async () => {
    const targets = [memoryTargetConfig("alpha"), memoryTargetConfig("beta")];
    await commit({ "beta/items/db": "v1" });
    await runMode("reconcile", targets);
    await commit({ "alpha/items/api": null, "beta/items/db": "broken" });
    const outcome = await runMode("reconcile", targets);
    expect(outcome.exitCode).toBe(ExitCode.failed);
    expect(outcome.byName.db?.action).toBe("failed");
    expect(outcome.byName.api).toMatchObject({
      action: "failed",
      reason: "left git, but not pruned: the desired state is incomplete (release db failed to render)",
    });
    expect(memoryWorld.live.has("api")).toBe(true);
  });

  it("prunes nothing when a source failed, and says which", async () => {
    await runMode("reconcile");
    const outcome = await runMode("reconcile", [memoryTargetConfig("alpha")], path.join(work, "missing.git"));
    expect(outcome.exitCode).toBe(ExitCode.failed);
    expect(outcome.entries).toEqual([
      expect.objectContaining({ kind: "target", name: "alpha", action: "failed" }),
    ]);
    expect(memoryWorld.calls).toEqual([]);
    expect(memoryWorld.live.size).toBe(2);
  });

  it("refuses to prune more than maxPrune, or everything unless allowEmpty", async () => {
    await runMode("reconcile");
    await commit({ "alpha/items/api": null, "alpha/items/web": null, "alpha/items/worker": "v1" });
    const tooMany = await runMode("reconcile", [memoryTargetConfig("alpha", { maxPrune: 1 })]);
    expect(tooMany.exitCode).toBe(ExitCode.failed);
    expect(tooMany.byName.api?.reason).toBe(
      "not pruned: 2 releases left git, more than maxPrune (1); raise maxPrune for this run if intended",
    );
    expect(memoryWorld.live.size).toBe(3);
    await commit({ "alpha/items/worker": null });
    const empty = await runMode("reconcile");
    expect(empty.byName.web?.reason).toBe(
      "not pruned: git declares no release at all for this target, which looks like a mistake; set allowEmpty: true to allow it",
    );
    expect(memoryWorld.live.size).toBe(3);
    const allowed = await runMode("reconcile", [memoryTargetConfig("alpha", { allowEmpty: true })]);
    expect(allowed.exitCode).toBe(ExitCode.ok);
    expect(memoryWorld.live.size).toBe(0);
  });

  it("keeps going after one item fails to apply, and then prunes nothing of that target", async () => {
    await runMode("reconcile");
    await commit({ "alpha/items/api": null, "alpha/items/web": "fail", "alpha/items/worker": "v1" });
    const outcome = await runMode("reconcile");
    expect(outcome.exitCode).toBe(ExitCode.failed);
    expect(outcome.byName.web?.action).toBe("failed");
    expect(outcome.byName.worker?.action).toBe("created");
    expect(outcome.byName.api).toMatchObject({
      action: "failed",
      reason: "not pruned: 1 release(s) of this target failed to deploy in this run",
    });
    expect(memoryWorld.live.has("api")).toBe(true);
  });

  it("validate reports each item valid with the file git declares it in", async () => {
    const outcome = await runMode("validate");
    expect(outcome.exitCode).toBe(ExitCode.ok);
    expect(outcome.byName.web).toMatchObject({ action: "skipped", reason: "valid: alpha/items/web" });
  });

  it("prune --release removes one owned item, and only says what it would do on a dry run", async () => {
    await runMode("reconcile");
    const log = createLogger({ stream: new Writable({ write: (_chunk, _encoding, done) => done() }) });
    const config = { sources: [], targets: [memoryTargetConfig("alpha")] } as unknown as CroncdConfig;
    const request = { config, kind: "release" as const, name: "web", log };
    const dry = await pruneItem({ ...request, dryRun: true });
    expect(dry.entries[0]?.action).toBe("skipped");
    expect(memoryWorld.live.has("web")).toBe(true);
    const done = await pruneItem({ ...request, dryRun: false });
    expect(done.exitCode).toBe(ExitCode.ok);
    expect(memoryWorld.live.has("web")).toBe(false);
    await expect(pruneItem({ ...request, kind: "stack", dryRun: false })).rejects.toThrow(
      "target alpha (type memory) deploys releases, not stacks; use --release NAME",
    );
  });

  describe("the lock in the live system", () => {
    it("takes no lock when nothing changes, nor ever in plan or validate", async () => {
      await runMode("reconcile");
      memoryWorld.timeline.length = 0;
      const again = await runMode("reconcile");
      expect(again.entries.map((entry) => entry.action)).toEqual(["unchanged", "unchanged"]);
      await commit({ "alpha/items/web": "v2" });
      await runMode("plan");
      await runMode("validate");
      expect(memoryWorld.timeline).toEqual([]);
    });

    it("takes the lock before the first change, once for targets on one live system, and releases it at the end", async () => {
      await commit({ "beta/items/db": "v1" });
      await runMode("reconcile", [memoryTargetConfig("alpha"), memoryTargetConfig("beta")]);
      expect(memoryWorld.timeline).toEqual([
        expect.stringMatching(/^create (\d+) by host \S+ pid \d+$/),
        "apply api",
        "apply web",
        "apply db",
        expect.stringMatching(/^delete \d+$/),
      ]);
      expect(memoryWorld.lock.current).toBeUndefined();
    });

    it("changes nothing on a target whose lock another run holds, and says who holds it", async () => {
      memoryWorld.lock.current = {
        record: {
          holder: "https://ci.example/jobs/1",
          token: "other",
          acquiredAt: new Date(Date.now() - 1000),
          expiresAt: new Date(Date.now() + 60_000),
        },
        version: 99,
      };
      const blocked = await runMode("reconcile");
      expect(blocked.exitCode).toBe(ExitCode.failed);
      expect(blocked.entries).toEqual([
        expect.objectContaining({ kind: "target", name: "alpha", action: "failed" }),
      ]);
      expect(blocked.entries[0]?.reason).toMatch(
        /^memory lock is held by https:\/\/ci\.example\/jobs\/1 since \S+ \(expires \S+ unless renewed\); gave up after waiting 0s/,
      );
      expect(memoryWorld.calls).toEqual([]);
      expect(memoryWorld.lock.current.version).toBe(99);
    });

    it("prune --release takes the lock around the removal, and removes nothing while another run holds it", async () => {
      await runMode("reconcile");
      memoryWorld.timeline.length = 0;
      const request = {
        config: {
          sources: [{ name: "platform", url: bare, ref: "main", stallTimeout: 60, submodules: false }],
          targets: [memoryTargetConfig("alpha")],
        } as unknown as CroncdConfig,
        kind: "release" as const,
        name: "web",
        log: createLogger({ stream: new Writable({ write: (_chunk, _encoding, done) => done() }) }),
      };
      await pruneItem({ ...request, dryRun: true });
      expect(memoryWorld.timeline).toEqual([]);
      memoryWorld.lock.current = {
        record: {
          holder: "someone",
          token: "t",
          acquiredAt: new Date(),
          expiresAt: new Date(Date.now() + 60_000),
        },
        version: 50,
      };
      const refused = await pruneItem({ ...request, dryRun: false });
      expect(refused.entries[0]).toMatchObject({ kind: "target", name: "alpha", action: "failed" });
      expect(refused.entries[0]?.reason).toMatch(/^release web not pruned: memory lock is held by someone/);
      expect(memoryWorld.live.has("web")).toBe(true);
      memoryWorld.lock.current = undefined;
      await pruneItem({ ...request, dryRun: false });
      expect(memoryWorld.lock.events.slice(-2)).toEqual([
        expect.stringMatching(/^create \d+ by /),
        expect.stringMatching(/^delete \d+$/),
      ]);
      expect(memoryWorld.live.has("web")).toBe(false);
    });
  });
});

describe("alerts in the pipeline", () => {
  // Written as a separate suite so the in-memory world's state of the suite above stays its own.
  it("only a reconcile alerts: plan and validate never do", async () => {
    const work = await mkdtemp(path.join(tmpdir(), "croncd-pipeline-alerts-"));
    try {
      const bare = await createBareRepo(work, "config.git");
      const repo = await TestRepo.create(path.join(work, "checkout"), { "alpha/items/web": "fail\n" });
      await repo.push(bare);
      memoryWorld.reset();
      const log = createLogger({ stream: new Writable({ write: (_chunk, _encoding, done) => done() }) });
      const config = {
        sources: [{ name: "platform", url: bare, ref: "main", stallTimeout: 60, submodules: false }],
        targets: [memoryTargetConfig("alpha")],
        alerts: { repeatInterval: 86400, unavailableGrace: 900, notifiers: [] },
      } as unknown as CroncdConfig;
      const runAs = (mode: RunMode) => run({ mode, config, configFile: path.join(work, "croncd.yaml"), log });
      for (const mode of ["plan", "validate", "render"] as const) {
        expect((await runAs(mode)).alerts, mode).toBeUndefined();
      }
      expect(memoryWorld.alertStates.size).toBe(0);
      const reconciled = await runAs("reconcile");
      expect(reconciled.alerts?.events.map((event) => `${event.kind} ${event.item?.name}`)).toEqual([
        "failed web",
      ]);
      expect(memoryWorld.alertStates.get("alpha")?.items["release/web"]).toBeDefined();
    } finally {
      memoryWorld.reset();
      await rm(work, { recursive: true, force: true });
    }
  });
});

describe("exit codes", () => {
  const entry = (fields: Partial<ChangeSetEntry>): ChangeSetEntry => ({
    kind: "release",
    name: "web",
    target: "alpha",
    action: "unchanged",
    reason: "matches git",
    ...fields,
  });

  it("fails on any failure, whatever else happened", () => {
    expect(exitCodeFor("reconcile", [entry({ action: "failed" }), entry({ drift: true })])).toBe(1);
    expect(exitCodeFor("plan", [entry({ action: "failed" }), entry({ action: "created" })])).toBe(1);
  });

  it("plan exits 2 when changes are pending; reconcile after applying them exits 0", () => {
    expect(exitCodeFor("plan", [entry({ action: "configured" })])).toBe(2);
    expect(exitCodeFor("reconcile", [entry({ action: "configured" })])).toBe(0);
    expect(exitCodeFor("plan", [entry({})])).toBe(0);
  });

  it("reconcile exits 2 on drift, even healed", () => {
    expect(exitCodeFor("reconcile", [entry({ action: "configured", drift: true })])).toBe(2);
  });

  it("exits 3 when a source or target could not be reached; a real failure wins, and 3 wins over drift", () => {
    const away = entry({ kind: "target", action: "failed", unavailable: "target" });
    expect(exitCodeFor("reconcile", [away])).toBe(3);
    expect(exitCodeFor("plan", [entry({ action: "failed", unavailable: "source" })])).toBe(3);
    expect(exitCodeFor("reconcile", [away, entry({ action: "failed" })])).toBe(1);
    expect(exitCodeFor("reconcile", [away, entry({ action: "configured", drift: true })])).toBe(3);
  });
});
