import { describe, expect, it } from "vitest";
import type { ItemObservation, TargetObservation } from "../../../src/alerts/observation.js";
import type { TargetAlertState } from "../../../src/alerts/state.js";
import { transition, type TransitionSettings } from "../../../src/alerts/transitions.js";

const t0 = new Date("2026-12-05T06:00:00Z");
const later = (seconds: number) => new Date(t0.getTime() + seconds * 1000);
const settings: TransitionSettings = { repeatInterval: 3600, unavailableGrace: 900, now: t0 };
const web = { kind: "stack", name: "web" };
const db = { kind: "stack", name: "db" };

const failed = (item = web, fingerprint = "f1", cause = "deploy failed: no such image"): ItemObservation => ({
  key: `${item.kind}/${item.name}`,
  item,
  status: "failed",
  cause,
  fingerprint,
});
const healthy = (item = web): ItemObservation => ({
  key: `${item.kind}/${item.name}`,
  item,
  status: "healthy",
});
const drifted = (healed: boolean, fingerprint = "d1"): ItemObservation => ({
  key: "stack/web",
  item: web,
  status: "drifted",
  details: ["replicas: 3 → 1"],
  healed,
  fingerprint,
});
const observe = (items: ItemObservation[], extra: Partial<TargetObservation> = {}): TargetObservation => ({
  target: "prod",
  items,
  complete: true,
  commit: { sha: "abc123" },
  ...extra,
});

/** Runs observations one after another, as successive CI jobs would, and returns each run's event kinds. */
function runs(steps: Array<[TargetObservation, Date]>, first?: TargetAlertState): string[][] {
  let state = first;
  return steps.map(([observed, now]) => {
    const result = transition(state, observed, { ...settings, now });
    state = result.next;
    return result.events.map((event) => `${event.kind}${event.item ? ` ${event.item.name}` : ""}`);
  });
}

describe("transition", () => {
  it("says a failure once, its change once, its recovery once, and nothing while healthy", () => {
    expect(
      runs([
        [observe([failed()]), t0],
        [observe([failed()]), later(300)],
        [observe([failed(web, "f2", "deploy failed: port in use")]), later(600)],
        [observe([failed(web, "f2", "deploy failed: port in use")]), later(900)],
        [observe([healthy()]), later(1200)],
        [observe([healthy()]), later(1500)],
      ]),
    ).toEqual([["failed web"], [], ["failure-changed web"], [], ["recovered web"], []]);
  });

  it("a healthy run with no state sends nothing and keeps no record", () => {
    const result = transition(undefined, observe([healthy(), healthy(db)]), settings);
    expect(result.events).toEqual([]);
    expect(result.next).toEqual({ items: {} });
  });

  it("with no state (lost or deleted), alerts on everything failing again", () => {
    const first = transition(undefined, observe([failed(), failed(db, "g1")]), settings);
    expect(first.events.map((e) => e.kind)).toEqual(["failed", "failed"]);
    const afterLoss = transition(undefined, observe([failed(), failed(db, "g1")]), {
      ...settings,
      now: later(60),
    });
    expect(afterLoss.events.map((e) => e.item?.name)).toEqual(["web", "db"]);
  });

  it("reminds after the repeat interval while an item stays failed the same way, counted from the last alert", () => {
    expect(
      runs([
        [observe([failed()]), t0],
        [observe([failed()]), later(3599)],
        [observe([failed()]), later(3600)],
        [observe([failed()]), later(3600 + 1800)],
        [observe([failed()]), later(7200)],
      ]),
    ).toEqual([["failed web"], [], ["reminder web"], [], ["reminder web"]]);
  });

  it("never reminds with a repeat interval of 0", () => {
    let state = transition(undefined, observe([failed()]), { ...settings, repeatInterval: 0 }).next;
    const result = transition(state, observe([failed()]), {
      ...settings,
      repeatInterval: 0,
      now: later(86400 * 30),
    });
    state = result.next;
    expect(result.events).toEqual([]);
    expect(state.items["stack/web"]?.failure?.fingerprint).toBe("f1");
  });

  it("events carry what a person needs: target, item, masked stable cause, commit, job, fingerprint, severity", () => {
    const [event] = transition(
      undefined,
      observe([failed()], { jobUrl: "https://ci/job/1" }),
      settings,
    ).events;
    expect(event).toEqual({
      kind: "failed",
      severity: "error",
      target: "prod",
      item: web,
      cause: "deploy failed: no such image",
      fingerprint: "f1",
      commit: { sha: "abc123" },
      jobUrl: "https://ci/job/1",
    });
  });

  it("a recovery is info, a drift a warning with the field diff", () => {
    const state = transition(undefined, observe([failed()]), settings).next;
    const recovered = transition(state, observe([healthy()]), settings).events;
    expect(recovered.map((e) => [e.kind, e.severity])).toEqual([["recovered", "info"]]);
    const drift = transition(undefined, observe([drifted(true)]), settings).events;
    expect(drift.map((e) => [e.kind, e.severity, e.details])).toEqual([
      ["drift", "warning", ["replicas: 3 → 1"]],
    ]);
  });

  it("a healed drift is said every time it happens; an unhealed one once per distinct difference", () => {
    expect(
      runs([
        [observe([drifted(true)]), t0],
        [observe([healthy()]), later(300)],
        [observe([drifted(true)]), later(600)],
      ]),
    ).toEqual([["drift web"], [], ["drift web"]]);
    expect(
      runs([
        [observe([drifted(false)]), t0],
        [observe([drifted(false)]), later(300)],
        [observe([drifted(false, "d2")]), later(600)],
        [observe([healthy()]), later(900)],
        [observe([drifted(false)]), later(1200)],
      ]),
    ).toEqual([["drift web"], [], ["drift web"], [], ["drift web"]]);
  });

  it("a failed item that left git recovers; one of a target that failed as a whole keeps its state", () => {
    const state = transition(undefined, observe([failed(), failed(db, "g1")]), settings).next;
    const left = transition(state, observe([healthy()]), settings);
    expect(left.events.map((e) => `${e.kind} ${e.item?.name}`)).toEqual(["recovered web", "recovered db"]);
    expect(left.next).toEqual({ items: {} });

    const whole = { key: "target/prod", item: { kind: "target", name: "prod" } };
    const broken = transition(
      state,
      observe([{ ...whole, status: "failed", cause: "plan failed", fingerprint: "t1" }], { complete: false }),
      settings,
    );
    // About the whole target: the target is the subject, no item is named.
    expect(broken.events).toMatchObject([{ kind: "failed", target: "prod", cause: "plan failed" }]);
    expect(broken.events[0]?.item).toBeUndefined();
    expect(Object.keys(broken.next.items).sort()).toEqual(["stack/db", "stack/web", "target/prod"]);
  });

  describe("source unavailable", () => {
    const down = (items: ItemObservation[] = []) =>
      observe(items, {
        unavailable: { kind: "source", cause: "source unavailable: git server did not answer" },
        complete: false,
      });

    it("is said only once it lasted longer than the grace period, then once, then its end once", () => {
      expect(
        runs([
          [down(), t0],
          [down(), later(600)],
          [down(), later(900)],
          [down(), later(1200)],
          [observe([healthy()]), later(1500)],
          [observe([healthy()]), later(1800)],
        ]),
      ).toEqual([[], [], ["source-unavailable"], [], ["recovered"], []]);
    });

    it("an outage shorter than the grace period is never said, and leaves no trace", () => {
      const result = runs([
        [down(), t0],
        [observe([healthy()]), later(600)],
        [down(), later(900)],
        [observe([healthy()]), later(1200)],
      ]);
      expect(result).toEqual([[], [], [], []]);
    });

    it("keeps the items' state: a failure known before the outage is not said again after it", () => {
      expect(
        runs([
          [observe([failed()]), t0],
          [down(), later(60)],
          [observe([failed()]), later(120)],
        ]),
      ).toEqual([["failed web"], [], []]);
    });

    it("with a grace of 0 is said on the first run", () => {
      expect(
        transition(undefined, down(), { ...settings, unavailableGrace: 0 }).events.map((e) => e.kind),
      ).toEqual(["source-unavailable"]);
    });
  });

  describe("target unavailable", () => {
    const down = observe([], {
      unavailable: { kind: "target", cause: "cannot reach the Docker daemon" },
      complete: false,
    });

    it("is not said within a grace period (its state cannot be read to count it); said on every run with a grace of 0", () => {
      expect(transition(undefined, down, settings).events).toEqual([]);
      const [event] = transition(undefined, down, { ...settings, unavailableGrace: 0 }).events;
      expect(event).toMatchObject({ kind: "target-unavailable", severity: "error", target: "prod" });
    });

    it("changes nothing in the state", () => {
      const state = transition(undefined, observe([failed()]), settings).next;
      expect(transition(state, down, settings).next).toEqual(state);
    });
  });
});
