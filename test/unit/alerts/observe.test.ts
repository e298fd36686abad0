import { describe, expect, it } from "vitest";
import { observeTarget } from "../../../src/alerts/observe.js";
import { changeEntry, type ChangeSetEntry } from "../../../src/model/changeset.js";

const stack = (name: string, action: ChangeSetEntry["action"], reason: string, extras = {}) =>
  changeEntry({ kind: "stack", name, target: "prod" }, action, reason, extras);
const mask = (text: string) => text.replaceAll("s3cret", "***");
const observe = (entries: ChangeSetEntry[], commit = "abc123") =>
  observeTarget({ target: "prod", entries, commit: { sha: commit }, mask });

describe("observeTarget", () => {
  it("reads each item of the target as healthy, failed or drifted, and ignores other targets", () => {
    const observed = observe([
      stack("web", "unchanged", "matches git"),
      stack("db", "failed", "deploy failed: no such image"),
      stack("cache", "configured", "drifted from git", { drift: true, details: ["replicas: 3 → 1"] }),
      stack("old", "skipped", "drifted; not healed (--no-heal)", { drift: true, details: ["env: A"] }),
      changeEntry({ kind: "stack", name: "web", target: "other" }, "failed", "boom"),
    ]);
    expect(observed.complete).toBe(true);
    expect(observed.items.map((item) => [item.item.name, item.status])).toEqual([
      ["web", "healthy"],
      ["db", "failed"],
      ["cache", "drifted"],
      ["old", "drifted"],
    ]);
    const [, , cache, old] = observed.items;
    expect(cache).toMatchObject({ healed: true, details: ["replicas: 3 → 1"] });
    expect(old).toMatchObject({ healed: false });
  });

  it("gives the same fingerprint to the same failure with another timestamp, a new one at another commit", () => {
    const at = (time: string, commit?: string) =>
      observe([stack("web", "failed", `unhealthy: task failed at ${time} after 3.2s`)], commit).items[0];
    const first = at("2026-12-05T06:00:00Z");
    const again = at("2026-12-05T06:05:00Z");
    expect(first?.status === "failed" && again?.status === "failed").toBe(true);
    if (first?.status !== "failed" || again?.status !== "failed") return;
    expect(again.fingerprint).toBe(first.fingerprint);
    expect(first.cause).toBe("unhealthy: task failed at <time> after <duration>");
    const moved = at("2026-12-05T06:00:00Z", "def456");
    expect(moved?.status === "failed" && moved.fingerprint).not.toBe(first.fingerprint);
  });

  it("masks secret values in causes and drift details", () => {
    const observed = observe([
      stack("web", "failed", "deploy failed: password s3cret refused"),
      stack("db", "configured", "drifted", { drift: true, details: ["env: PASSWORD=s3cret"] }),
    ]);
    expect(JSON.stringify(observed)).not.toContain("s3cret");
  });

  it("a target that could not be reached is unavailable, with nothing known of its items", () => {
    const away = changeEntry({ kind: "target", name: "prod", target: "prod" }, "failed", "nothing done", {
      unavailable: "source",
    });
    expect(observe([away])).toMatchObject({ unavailable: { kind: "source" }, items: [], complete: false });
  });

  it("a target that failed as a whole is one failed item, and leaves the others unknown", () => {
    const whole = changeEntry({ kind: "target", name: "prod", target: "prod" }, "failed", "plan failed: x");
    const observed = observe([whole]);
    expect(observed.complete).toBe(false);
    expect(observed.items).toMatchObject([{ key: "target/prod", status: "failed" }]);
  });
});

describe("observeTarget across runs", () => {
  it("an unhealthy stack is one failure on the run that deployed it and on the runs after", () => {
    const fingerprintOf = (reason: string) => {
      const [item] = observe([stack("web", "failed", reason)]).items;
      return item?.status === "failed" ? item.fingerprint : "not failed";
    };
    const deployed = fingerprintOf(
      "rollout failed: web_app: tasks keep failing: 1 failed 3 times since the deploy",
    );
    const next = fingerprintOf(
      "matches git but is unhealthy (not redeployed): web_app: tasks keep failing: 1 failed 7 times since the deploy",
    );
    expect(next).toBe(deployed);
    expect(fingerprintOf("rollout failed: web_app: update rolled back")).not.toBe(deployed);
  });
});
