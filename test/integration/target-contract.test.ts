// The contract every target type keeps, run over each harness in test/contract/harnesses/ through
// the real croncd command and a real git repository: create → no change → change → left git →
// not owned → incomplete desired state → maxPrune → allowEmpty → manual prune → one failing item.
// Scenarios run in order and build on each other's live state, as consecutive CI runs do.
import { readdirSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readReport, runCroncd, type JsonReport } from "../helpers/croncd.js";
import { createBareRepo, TestRepo } from "../helpers/git-repo.js";
import type { TargetHarness } from "../contract/harness.js";
import type { AlertEvent } from "../../src/alerts/event.js";

/** Every harness file in test/contract/harnesses/: adding a target's harness needs no edit here. */
const harnessDir = fileURLToPath(new URL("../contract/harnesses/", import.meta.url));
const harnesses = await Promise.all(
  readdirSync(harnessDir)
    .filter((file) => file.endsWith(".ts"))
    .sort()
    .map(async (file) => {
      const module = (await import(pathToFileURL(path.join(harnessDir, file)).href)) as {
        default: TargetHarness;
      };
      return module.default;
    }),
);

/** The type, and where the scenarios run when a harness says (e.g. a real cluster). */
const suiteName = (harness: TargetHarness): string =>
  harness.description ? `${harness.type} (${harness.description})` : harness.type;

describe.each(harnesses.map((harness) => [suiteName(harness), harness] as const))(
  "target contract: %s",
  (_type, harness) => {
    const kind = harness.itemKind;
    const [a, b, c, broken, failing, fresh, unowned] = [
      "a",
      "b",
      "c",
      "broken",
      "failing",
      "fresh",
      "unowned",
    ].map((label) => harness.itemName(label)) as [string, string, string, string, string, string, string];
    const all = [a, b, c, broken, failing, fresh, unowned];
    let work: string;
    let bare: string;
    let repo: TestRepo;
    const reportFile = () => path.join(work, "report.json");

    /** Makes git declare exactly these items (name → version, or a file set), and pushes. */
    async function declare(items: Record<string, number | Record<string, string>>): Promise<void> {
      for (const name of all) for (const file of harness.itemPaths(name)) await repo.remove(file);
      for (const [file, content] of Object.entries(harness.baseFiles())) await repo.write(file, content);
      for (const [name, item] of Object.entries(items)) {
        const files = typeof item === "number" ? harness.itemFiles(name, item) : item;
        for (const [file, content] of Object.entries(files)) await repo.write(file, content);
      }
      await repo.write("RUN", String(Date.now()));
      await repo.commit(`declare ${Object.keys(items).join(", ") || "nothing"}`);
      await repo.push(bare);
    }

    async function croncd(
      args: string[],
      prune: { maxPrune?: number; allowEmpty?: boolean } = {},
      lock: { wait?: number } = {},
      /** Other top-level croncd.yaml keys (`alerts:`). */
      extra: Record<string, unknown> = {},
    ) {
      const configFile = path.join(work, "croncd.yaml");
      const target = { name: "contract", type: harness.type, source: "platform", prune: true, ...prune };
      const fields = harness.targetFields();
      await writeFile(
        configFile,
        stringify({
          sources: [{ name: "platform", url: bare }],
          targets: [{ ...target, ...fields, lock: { ...(fields.lock as object | undefined), ...lock } }],
          ...extra,
        }),
      );
      const result = await runCroncd([...args, "--config", configFile, "--report", reportFile()], {
        cwd: work,
        ...(harness.env ? { env: harness.env() } : {}),
      });
      const report = await readReport(reportFile());
      return { ...result, report, entry: (name: string) => entryOf(report, name) };
    }

    function entryOf(report: JsonReport, name: string) {
      return report.entries.find((entry) => entry.name === name && entry.kind === kind);
    }

    const live = () => harness.liveVersions(all);

    beforeAll(async () => {
      await harness.setUp?.();
      work = await mkdtemp(path.join(tmpdir(), `croncd-contract-${harness.type}-`));
      bare = await createBareRepo(work, "config.git");
      repo = await TestRepo.create(path.join(work, "checkout"), { "README.md": "contract\n" });
      await repo.push(bare);
    });

    afterAll(async () => {
      await harness.tearDown();
      await rm(work, { recursive: true, force: true });
    });

    it("creates what git declares", async () => {
      await declare({ [a]: 1, [b]: 1 });
      const run = await croncd(["reconcile"]);
      expect(run.exitCode, run.output).toBe(0);
      expect(run.entry(a)?.action).toBe("created");
      expect(run.entry(b)?.action).toBe("created");
      expect(await live()).toEqual(
        new Map([
          [a, 1],
          [b, 1],
        ]),
      );
    });

    it("applies nothing when nothing changed", async () => {
      const run = await croncd(["reconcile"]);
      expect(run.exitCode, run.output).toBe(0);
      expect(run.report.entries.map((entry) => [entry.name, entry.action])).toEqual([
        [a, "unchanged"],
        [b, "unchanged"],
      ]);
    });

    it("updates what changed in git, and only that", async () => {
      await declare({ [a]: 2, [b]: 1 });
      const plan = await croncd(["plan"]);
      expect(plan.exitCode, plan.output).toBe(2);
      expect(await live()).toEqual(
        new Map([
          [a, 1],
          [b, 1],
        ]),
      );
      const run = await croncd(["reconcile"]);
      expect(run.exitCode, run.output).toBe(0);
      expect(run.entry(a)?.action).toBe("configured");
      expect(run.entry(b)?.action).toBe("unchanged");
      expect((await live()).get(a)).toBe(2);
    });

    it("prunes an item it owns once it left git", async () => {
      await declare({ [a]: 2, [b]: 1, [c]: 1 });
      expect((await croncd(["reconcile"])).exitCode).toBe(0);
      await declare({ [a]: 2, [b]: 1 });
      const run = await croncd(["reconcile"]);
      expect(run.exitCode, run.output).toBe(0);
      expect(run.entry(c)).toMatchObject({ action: "deleted", reason: "left git" });
      expect((await live()).has(c)).toBe(false);
    });

    it("never prunes an item it does not own", async () => {
      await harness.createUnownedItem(unowned);
      const run = await croncd(["reconcile"]);
      expect(run.exitCode, run.output).toBe(0);
      expect(run.entry(unowned)).toBeUndefined();
      expect((await live()).has(unowned)).toBe(true);
    });

    it("prunes nothing while the desired state is incomplete", async () => {
      await declare({ [a]: 2, [broken]: harness.unrenderableItemFiles(broken) });
      const run = await croncd(["reconcile"]);
      expect(run.exitCode, run.output).toBe(1);
      expect(run.entry(broken)?.action).toBe("failed");
      expect(run.entry(b)).toMatchObject({
        action: "failed",
        reason: `left git, but not pruned: the desired state is incomplete (${kind} ${broken} failed to render)`,
      });
      expect((await live()).has(b)).toBe(true);
    });

    it("prunes nothing when more items left git than maxPrune allows, and fails", async () => {
      await declare({ [c]: 1 });
      const run = await croncd(["reconcile"], { maxPrune: 1 });
      expect(run.exitCode, run.output).toBe(1);
      const reason = `not pruned: 2 ${kind}s left git, more than maxPrune (1); raise maxPrune for this run if intended`;
      expect(run.entry(a)).toMatchObject({ action: "failed", reason });
      expect(run.entry(b)).toMatchObject({ action: "failed", reason });
      expect([...(await live()).keys()].sort()).toEqual([a, b, c, unowned].sort());
    });

    it("prunes everything only with allowEmpty when git declares nothing", async () => {
      await declare({});
      const refused = await croncd(["reconcile"]);
      expect(refused.exitCode, refused.output).toBe(1);
      expect(refused.entry(a)?.reason).toBe(
        `not pruned: git declares no ${kind} at all for this target, which looks like a mistake; set allowEmpty: true to allow it`,
      );
      expect((await live()).size).toBe(4);
      const allowed = await croncd(["reconcile"], { allowEmpty: true });
      expect(allowed.exitCode, allowed.output).toBe(0);
      expect([a, b, c].map((name) => allowed.entry(name)?.action)).toEqual(["deleted", "deleted", "deleted"]);
      expect([...(await live()).keys()]).toEqual([unowned]);
    });

    it("prunes one item by hand: a dry run changes nothing, an unowned item is refused", async () => {
      await declare({ [a]: 1 });
      expect((await croncd(["reconcile"])).exitCode).toBe(0);
      const dry = await croncd(["prune", `--${kind}`, a, "--dry-run"]);
      expect(dry.exitCode, dry.output).toBe(0);
      expect(dry.entry(a)?.action).toBe("skipped");
      expect((await live()).has(a)).toBe(true);
      const refused = await croncd(["prune", `--${kind}`, unowned]);
      expect(refused.exitCode, refused.output).toBe(1);
      expect((await live()).has(unowned)).toBe(true);
      const done = await croncd(["prune", `--${kind}`, a]);
      expect(done.exitCode, done.output).toBe(0);
      expect(done.entry(a)?.action).toBe("deleted");
      expect((await live()).has(a)).toBe(false);
    });

    it("suspend leaves an item as it runs until resume: not updated, not pruned; an unowned item is refused", async () => {
      await declare({ [a]: 1, [b]: 1 });
      expect((await croncd(["reconcile"])).exitCode).toBe(0);
      for (const name of [a, b]) {
        const suspended = await croncd(["suspend", `--${kind}`, name, "--reason", "incident 42"]);
        expect(suspended.exitCode, suspended.output).toBe(0);
        expect(suspended.entry(name)?.action).toBe("configured");
      }
      const refused = await croncd(["suspend", `--${kind}`, unowned]);
      expect(refused.exitCode, refused.output).toBe(1);

      // a changes in git, b leaves it: neither is touched, both are reported with who and why.
      await declare({ [a]: 2 });
      const held = await croncd(["reconcile"]);
      expect(held.exitCode, held.output).toBe(0);
      for (const name of [a, b]) {
        expect(held.entry(name)?.action).toBe("skipped");
        expect(held.entry(name)?.reason).toMatch(
          /^(left git, but kept: )?suspended by \S+ at \S+: incident 42/,
        );
      }
      expect(await live()).toEqual(
        new Map([
          [a, 1],
          [b, 1],
          [unowned, undefined],
        ]),
      );

      for (const name of [a, b]) expect((await croncd(["resume", `--${kind}`, name])).exitCode).toBe(0);
      const resumed = await croncd(["reconcile"]);
      expect(resumed.exitCode, resumed.output).toBe(0);
      expect(resumed.entry(a)?.action).toBe("configured");
      expect(resumed.entry(b)).toMatchObject({ action: "deleted", reason: "left git" });
      expect((await live()).get(a)).toBe(2);
      expect((await live()).has(b)).toBe(false);
    });

    it("changes nothing while another run holds the target's lock, then takes and releases it itself", async () => {
      await declare({ [b]: 1 });
      await harness.lock.holdAsAnotherRun("https://ci.example/jobs/other", new Date(Date.now() + 300_000));
      try {
        const blocked = await croncd(["reconcile"], {}, { wait: 1 });
        expect(blocked.exitCode, blocked.output).toBe(1);
        const failure = blocked.report.entries.find((entry) => entry.kind === "target");
        expect(failure?.action).toBe("failed");
        expect(failure?.reason).toMatch(
          /is held by https:\/\/ci\.example\/jobs\/other since \S+ \(expires \S+ unless renewed\); gave up after waiting 1s \(lock\.wait\): nothing was applied or pruned/,
        );
        expect((await live()).has(b)).toBe(false);
        // plan never takes the lock, so another run's lock does not stop it.
        expect((await croncd(["plan"])).entry(b)?.action).toBe("created");
      } finally {
        await harness.lock.remove();
      }
      const run = await croncd(["reconcile"]);
      expect(run.exitCode, run.output).toBe(0);
      expect(run.entry(b)?.action).toBe("created");
      expect((await live()).get(b)).toBe(1);
      expect(await harness.lock.holder()).toBeUndefined();
    });

    it("keeps going when one item fails to deploy", async () => {
      await declare({ [failing]: harness.undeployableItemFiles(failing), [fresh]: 1 });
      const run = await croncd(["reconcile"]);
      expect(run.exitCode, run.output).toBe(1);
      expect(run.entry(failing)?.action).toBe("failed");
      expect(run.entry(fresh)?.action).toBe("created");
      expect((await live()).get(fresh)).toBe(1);
    });

    it("alerts once per change of state, remembering what it said in the target", async () => {
      const withAlerts = { alerts: {} };
      const events = (report: JsonReport & { events?: AlertEvent[] }) =>
        (report.events ?? []).map((event) => `${event.kind} ${event.item?.name ?? ""}`);
      // From a clean start: what earlier scenarios left behind pruned, nothing failing.
      await declare({ [fresh]: 1 });
      const clean = await croncd(["reconcile"]);
      expect(clean.exitCode, clean.output).toBe(0);
      // A render failure: the same failure on every run, whatever the target does with a failed deploy.
      await declare({ [broken]: harness.unrenderableItemFiles(broken), [fresh]: 1 });
      const first = await croncd(["reconcile"], {}, {}, withAlerts);
      expect(first.exitCode, first.output).toBe(1);
      expect(events(first.report)).toEqual([`failed ${broken}`]);
      // Another run, maybe on another runner: the state read back from the target says it was said.
      const again = await croncd(["reconcile"], {}, {}, withAlerts);
      expect(again.exitCode, again.output).toBe(1);
      expect(events(again.report)).toEqual([]);
      await declare({ [fresh]: 1 });
      const fixed = await croncd(["reconcile"], {}, {}, withAlerts);
      expect(fixed.exitCode, fixed.output).toBe(0);
      expect(events(fixed.report)).toEqual([`recovered ${broken}`]);
      expect(events((await croncd(["reconcile"], {}, {}, withAlerts)).report)).toEqual([]);
    });
  },
);
