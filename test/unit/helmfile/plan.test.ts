// Planning releases is pure: git's releases, helmfile diff's verdict per release and croncd's
// inventory in; create / update (git or drift) / unchanged / delete, or a refusal with its guard.
import { describe, expect, it } from "vitest";
import type { DiffOutcome } from "../../../src/targets/helmfile/diff-output.js";
import type { DesiredRelease, InventoryEntry } from "../../../src/targets/helmfile/model.js";
import { planReleases, type ReleasePlanInput } from "../../../src/targets/helmfile/plan.js";

const release = (name: string, hash = `hash-${name}`): DesiredRelease => ({
  name: `team-a/${name}`,
  release: {
    name,
    namespace: "team-a",
    installed: true,
    chart: "./charts/greeter",
    version: "",
    labels: {},
  },
  hash,
  warnings: [],
});
const owned = (
  name: string,
  desiredHash = `hash-${name}`,
  extra: Partial<InventoryEntry> = {},
): InventoryEntry => ({
  name,
  namespace: "team-a",
  chart: "./charts/greeter",
  desiredHash,
  ...extra,
});
const changed = (...names: string[]): DiffOutcome => ({
  releases: new Map(
    names.map((name) => [
      `team-a/${name}`,
      { lines: [`team-a, ${name}, Deployment (apps) has changed:`], changed: true },
    ]),
  ),
});
const plan = (input: Partial<ReleasePlanInput>) =>
  planReleases({
    target: { name: "team-a", prune: true, allowEmpty: false, maxPrune: 3 },
    desired: [],
    declared: [],
    diff: { releases: new Map() },
    inventory: { entries: [] },
    ...input,
  }).map(({ name, action, reason, drift }) => ({ name, action, reason, ...(drift ? { drift } : {}) }));

describe("planReleases", () => {
  it("calls a diff drift when git is as at the last apply, and a git change otherwise", () => {
    expect(
      plan({
        desired: [release("web"), release("api", "new-hash")],
        diff: changed("web", "api"),
        inventory: { entries: [owned("web"), owned("api", "old-hash")] },
      }),
    ).toEqual([
      {
        name: "team-a/web",
        action: "update",
        reason: "drifted from git: 1 object changed by hand",
        drift: true,
      },
      { name: "team-a/api", action: "update", reason: "desired state changed" },
    ]);
  });

  it("never plans anything for a release it does not own, even one that left git", () => {
    expect(plan({ desired: [release("web")], inventory: { entries: [] } })).toEqual([
      { name: "team-a/web", action: "unchanged", reason: "matches git" },
    ]);
  });

  it("keeps a release that opted out, and leaves another source's record alone", () => {
    const kept = plan({
      desired: [release("web")],
      inventory: { entries: [owned("old", "h", { prune: false })] },
    });
    expect(kept.at(-1)).toEqual({
      name: "team-a/old",
      action: "skip",
      reason: 'left git; kept because it set the helmfile label croncd-prune: "false"',
    });
    const foreign = plan({
      desired: [release("web")],
      inventory: { entries: [owned("old")], otherSource: true },
    });
    expect(foreign.at(-1)?.action).toBe("skip");
  });

  it("applies the stack guards with the same words", () => {
    const entries = [owned("a"), owned("b")];
    expect(plan({ inventory: { entries } }).map((item) => item.reason)).toEqual([
      "not pruned: git declares no release at all for this target, which looks like a mistake; set allowEmpty: true to allow it",
      "not pruned: git declares no release at all for this target, which looks like a mistake; set allowEmpty: true to allow it",
    ]);
    expect(
      plan({
        desired: [release("web")],
        inventory: { entries },
        target: { name: "team-a", prune: true, allowEmpty: false, maxPrune: 1 },
      })[1],
    ).toEqual({
      name: "team-a/a",
      action: "refuse",
      reason:
        "not pruned: 2 releases left git, more than maxPrune (1); raise maxPrune for this run if intended",
    });
    expect(
      plan({ desired: [release("web")], inventory: { entries }, incompleteBecause: "x" })[1]?.action,
    ).toBe("refuse");
    expect(
      plan({ desired: [release("web")], inventory: { entries } })
        .slice(1)
        .map((i) => i.action),
    ).toEqual(["delete", "delete"]);
  });

  it("refuses every release when the diff failed without naming one", () => {
    expect(
      plan({
        desired: [release("web")],
        diff: { releases: new Map(), unattributedError: "helmfile diff failed: boom" },
      }),
    ).toEqual([{ name: "team-a/web", action: "refuse", reason: "helmfile diff failed: boom" }]);
  });

  it("leaves a suspended release alone: the label croncd-suspend from git, or the inventory's record", () => {
    const fromGit = release("web");
    fromGit.release.labels = { "croncd-suspend": "true", "croncd-suspend-reason": "vendor upgrade" };
    const suspension = { by: "alice@ops", at: "2026-12-05T06:30:00.000Z" };
    expect(
      plan({
        desired: [fromGit, release("api")],
        declared: ["team-a/web", "team-a/api"],
        diff: changed("web", "api"),
        inventory: {
          entries: [
            owned("web"),
            owned("api", "hash-api", { suspended: suspension }),
            owned("old", "x", { suspended: suspension }),
          ],
        },
      }),
    ).toEqual([
      {
        name: "team-a/web",
        action: "skip",
        reason:
          "suspended by git (helmfile label croncd-suspend): vendor upgrade; held back: drifted from git: 1 object changed by hand",
      },
      {
        name: "team-a/api",
        action: "skip",
        reason:
          "suspended by alice@ops at 2026-12-05T06:30:00.000Z; held back: drifted from git: 1 object changed by hand",
      },
      {
        name: "team-a/old",
        action: "skip",
        reason: "left git, but kept: suspended by alice@ops at 2026-12-05T06:30:00.000Z",
      },
    ]);
  });
});
