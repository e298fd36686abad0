import { describe, expect, it } from "vitest";
import {
  LABELS,
  MANAGED_BY_VALUE,
  STACK_NAMESPACE_LABEL,
  SUSPENSION_LABELS,
} from "../../../src/targets/swarm/labels.js";
import type { DesiredStack, LiveStack } from "../../../src/targets/swarm/model.js";
import { planStacks, type PlanInput } from "../../../src/targets/swarm/plan.js";
import { STACK_OPTION_DEFAULTS } from "../../../src/targets/swarm/stack-options.js";

const TARGET = { name: "prod", prune: true, allowEmpty: false, maxPrune: 3 };

function desired(
  name: string,
  hash = `hash-${name}`,
  options: Partial<DesiredStack["options"]> = {},
): DesiredStack {
  return {
    name,
    dir: `/checkout/stacks/${name}`,
    composeFile: `stacks/${name}/compose.yaml`,
    document: {},
    yaml: "",
    objects: [],
    hash,
    options: { ...STACK_OPTION_DEFAULTS, dependsOn: [], ...options },
    serviceNames: ["app"],
    revisionedObjects: 0,
    warnings: [],
  };
}

function live(name: string, labels: Record<string, string> = {}, services = ["app"]): LiveStack {
  return {
    name,
    services: services.map((service) => ({
      id: `${name}-${service}`,
      name: `${name}_${service}`,
      stack: name,
      labels: { [STACK_NAMESPACE_LABEL]: name, ...labels },
      spec: {},
    })),
  };
}

const SOURCE = "https://git.example.com/platform/stacks.git";

function owned(name: string, hash = `hash-${name}`, extra: Record<string, string> = {}): LiveStack {
  return live(name, {
    [LABELS.managedBy]: MANAGED_BY_VALUE,
    [LABELS.target]: "prod",
    [LABELS.source]: SOURCE,
    [LABELS.desiredHash]: hash,
    ...extra,
  });
}

/** Field-by-field comparison is diffStack's job (tested on its own): here, nothing differs. */
const noDiff = () => [];

function plan(input: Partial<PlanInput> & Pick<PlanInput, "desired">) {
  return planStacks({ target: TARGET, sourceUrl: SOURCE, live: new Map(), diff: noDiff, ...input }).map(
    ({ name, action, reason }) => ({ name, action, reason }),
  );
}

const liveOf = (...stacks: LiveStack[]) => new Map(stacks.map((stack) => [stack.name, stack]));

describe("planStacks", () => {
  it("creates stacks that are not live and leaves matching ones unchanged", () => {
    const result = plan({ desired: [desired("web"), desired("api")], live: liveOf(owned("api")) });
    expect(result.map(({ name, action }) => [name, action])).toEqual([
      ["web", "create"],
      ["api", "unchanged"],
    ]);
  });

  it("updates a stack whose desired-state hash changed", () => {
    const [item] = plan({ desired: [desired("web", "new")], live: liveOf(owned("web", "old")) });
    expect(item).toMatchObject({ action: "update", reason: "desired state changed" });
  });

  it("turns a stack changed by hand into a drift update carrying the changes", () => {
    const changes = [{ service: "web_app", field: "replicas", desired: "1", live: "3" }];
    const [item] = planStacks({
      target: TARGET,
      sourceUrl: SOURCE,
      desired: [desired("web")],
      live: liveOf(owned("web")),
      diff: () => changes,
    });
    expect(item).toMatchObject({
      action: "update",
      drift: true,
      reason: "drifted from git: 1 field changed by hand",
    });
    expect(item?.changes).toEqual(changes);
  });

  it("a change in git is an update, not drift, and still shows what differs", () => {
    const changes = [{ service: "web_app", field: "image", desired: "b", live: "a" }];
    const [item] = planStacks({
      target: TARGET,
      sourceUrl: SOURCE,
      desired: [desired("web", "new")],
      live: liveOf(owned("web", "old")),
      diff: () => changes,
    });
    expect(item).toMatchObject({ action: "update", reason: "desired state changed", changes });
    expect(item?.drift).toBeUndefined();
  });

  it("refuses to take over a stack croncd did not deploy, unless adopt is set", () => {
    const foreign = live("web");
    expect(plan({ desired: [desired("web")], live: liveOf(foreign) })[0]).toMatchObject({
      action: "refuse",
      reason: expect.stringContaining("x-croncd.adopt: true") as unknown,
    });
    expect(plan({ desired: [desired("web", "h", { adopt: true })], live: liveOf(foreign) })[0]?.action).toBe(
      "update",
    );
  });

  it("refuses a stack that another croncd target owns", () => {
    const other = live("web", { [LABELS.managedBy]: MANAGED_BY_VALUE, [LABELS.target]: "staging" });
    expect(plan({ desired: [desired("web")], live: liveOf(other) })[0]).toMatchObject({
      action: "refuse",
      reason: expect.stringContaining('target "staging"') as unknown,
    });
  });

  it("deletes owned stacks that left git, and never touches stacks it does not own", () => {
    const result = plan({
      desired: [desired("web")],
      live: liveOf(
        owned("web"),
        owned("old"),
        live("web-manual"),
        live("other-target", { [LABELS.managedBy]: "croncd", [LABELS.target]: "x" }),
      ),
    });
    expect(result.map(({ name, action }) => [name, action])).toEqual([
      ["web", "unchanged"],
      ["old", "delete"],
    ]);
  });

  it("prunes nothing when the desired state is incomplete", () => {
    const result = plan({
      desired: [desired("web")],
      live: liveOf(owned("old")),
      incompleteBecause: "source platform failed",
    });
    expect(result[1]).toMatchObject({ name: "old", action: "refuse" });
    expect(result[1]?.reason).toContain("source platform failed");
  });

  it("refuses to prune everything when git declares no stack, unless allowEmpty", () => {
    const input = { desired: [], live: liveOf(owned("a"), owned("b")) };
    expect(plan(input).map((item) => item.action)).toEqual(["refuse", "refuse"]);
    expect(plan(input)[0]?.reason).toContain("allowEmpty: true");
    const allowed = planStacks({
      ...input,
      sourceUrl: SOURCE,
      diff: noDiff,
      target: { ...TARGET, allowEmpty: true },
    });
    expect(allowed.map((item) => item.action)).toEqual(["delete", "delete"]);
  });

  it("refuses all deletions beyond maxPrune and says how many", () => {
    const input = {
      desired: [desired("keep")],
      live: liveOf(owned("a"), owned("b"), owned("c"), owned("d")),
    };
    const result = plan(input);
    expect(result.filter((item) => item.action === "refuse")).toHaveLength(4);
    expect(result[1]?.reason).toContain("4 stacks left git, more than maxPrune (3)");
    const raised = planStacks({
      ...input,
      sourceUrl: SOURCE,
      diff: noDiff,
      target: { ...TARGET, maxPrune: 4 },
    });
    expect(raised.filter((item) => item.action === "delete")).toHaveLength(4);
  });

  it("keeps stacks that opted out of pruning, without counting them against maxPrune", () => {
    const result = plan({
      desired: [desired("keep")],
      live: liveOf(owned("pinned", "h", { [LABELS.prune]: "false" }), owned("gone")),
    });
    expect(result.slice(1)).toMatchObject([
      { name: "pinned", action: "skip" },
      { name: "gone", action: "delete" },
    ]);
  });

  it("only reports stacks that left git when the target does not prune", () => {
    const result = planStacks({
      target: { ...TARGET, prune: false },
      sourceUrl: SOURCE,
      desired: [],
      live: liveOf(owned("gone")),
    });
    expect(result).toMatchObject([{ name: "gone", action: "skip" }]);
  });

  it("refuses to prune a stack that also holds services croncd does not own", () => {
    const mixed = owned("gone");
    mixed.services.push({
      id: "m",
      name: "gone_manual",
      stack: "gone",
      labels: { [STACK_NAMESPACE_LABEL]: "gone" },
      spec: {},
    });
    const result = plan({ desired: [desired("keep")], live: liveOf(mixed) });
    expect(result[1]).toMatchObject({ name: "gone", action: "refuse" });
  });

  it("never prunes a stack of the same target name deployed from another repository", () => {
    const elsewhere = owned("theirs", "h", { [LABELS.source]: "https://git.example.com/other/stacks.git" });
    const result = plan({ desired: [desired("keep")], live: liveOf(elsewhere, owned("gone")) });
    expect(result.slice(1)).toMatchObject([
      { name: "theirs", action: "skip" },
      { name: "gone", action: "delete" },
    ]);
    expect(result[1]?.reason).toContain("from another source (https://git.example.com/other/stacks.git)");
  });

  it("refuses to update a stack deployed from another repository, unless adopt is set", () => {
    const elsewhere = owned("web", "old", { [LABELS.source]: "https://git.example.com/other/stacks.git" });
    expect(plan({ desired: [desired("web")], live: liveOf(elsewhere) })[0]).toMatchObject({
      action: "refuse",
      reason: expect.stringContaining("rename one") as unknown,
    });
    const adopted = plan({ desired: [desired("web", "new", { adopt: true })], live: liveOf(elsewhere) });
    expect(adopted[0]?.action).toBe("update");
  });

  it("does not call a declared stack that failed to render 'left git'", () => {
    expect(
      plan({ desired: [desired("keep")], declared: ["keep", "broken"], live: liveOf(owned("broken")) }),
    ).toHaveLength(1);
  });

  describe("an unchanged stack is judged on its health", () => {
    const observedAt = new Date("2026-12-05T03:00:00.000Z");
    /** `web` as it runs: one replica, with Swarm's update status and the tasks of its slot. */
    const running = (updateState: string | undefined, taskAgeSeconds: number): LiveStack => {
      const stack = owned("web");
      const [service] = stack.services;
      if (!service) throw new Error("no service");
      service.spec = { Name: "web_app", Mode: { Replicated: { Replicas: 1 } } };
      service.runtime = {
        counts: { running: updateState === "paused" ? 0 : 1, desired: 1, completed: 0 },
        ...(updateState ? { updateStatus: { State: updateState } } : {}),
      };
      const started = new Date(observedAt.getTime() - taskAgeSeconds * 1000).toISOString();
      return {
        ...stack,
        observedAt,
        tasks: [
          {
            id: "t1",
            serviceId: service.id,
            slot: 1,
            state: updateState === "paused" ? "rejected" : "running",
            desiredState: updateState === "paused" ? "shutdown" : "running",
            timestamp: started,
            ...(updateState === "paused" ? { error: "No such image: nothing:2" } : {}),
          },
        ],
      };
    };

    it("healthy: unchanged", () => {
      expect(plan({ desired: [desired("web")], live: liveOf(running("completed", 300)) })).toEqual([
        { name: "web", action: "unchanged", reason: "matches git" },
      ]);
    });

    it("failed: unhealthy with the cause, so the run fails without deploying it", () => {
      expect(plan({ desired: [desired("web")], live: liveOf(running("paused", 300)) })).toEqual([
        {
          name: "web",
          action: "unhealthy",
          reason:
            "matches git but is unhealthy (not redeployed): web_app: update paused: No such image: nothing:2",
        },
      ]);
    });

    it("suspended: an unhealthy stack is skipped, not failed, and the run does not fail for it", () => {
      const stack = running("paused", 300);
      for (const service of stack.services) service.labels[SUSPENSION_LABELS.by] = "alice";
      expect(plan({ desired: [desired("web")], live: liveOf(stack) })).toEqual([
        {
          name: "web",
          action: "skip",
          reason:
            "suspended by alice; held back: matches git but is unhealthy (not redeployed): web_app: update paused: No such image: nothing:2",
        },
      ]);
    });

    it("still moving: converging, to be watched", () => {
      expect(plan({ desired: [desired("web")], live: liveOf(running("updating", 2)) })).toEqual([
        {
          name: "web",
          action: "converging",
          reason: "matches git; an earlier rollout is still converging: web_app: updating, 1/1 running",
        },
      ]);
    });

    it("with the stack's own stability period", () => {
      const patient = desired("web", "hash-web", { stableForSeconds: 120 });
      expect(plan({ desired: [patient], live: liveOf(running(undefined, 60)) })[0]?.action).toBe(
        "converging",
      );
    });

    it("a stack Swarm rolled back carries its old labels: deployed again, saying so", () => {
      const [item] = plan({
        desired: [desired("web", "new")],
        live: liveOf(running("rollback_completed", 300)),
      });
      expect(item).toEqual({
        name: "web",
        action: "update",
        reason: "desired state changed (Swarm rolled back the last update of web_app, rollback_completed)",
      });
    });

    it("a change in git is deployed whatever the health of the live stack", () => {
      expect(
        plan({ desired: [desired("web", "new")], live: liveOf(running("paused", 300)) })[0]?.action,
      ).toBe("update");
    });
  });

  describe("a suspended stack is left as it runs", () => {
    const suspendedBy = {
      [SUSPENSION_LABELS.by]: "alice (https://ci.example.com/jobs/7)",
      [SUSPENSION_LABELS.at]: "2026-12-05T06:30:00.000Z",
      [SUSPENSION_LABELS.reason]: "incident 42",
    };

    it("drift held back by a suspend is skipped, not healed and not counted as drift, with who, when and why", () => {
      const changes = [{ service: "web_app", field: "replicas", desired: "1", live: "3" }];
      const [item] = planStacks({
        target: TARGET,
        sourceUrl: SOURCE,
        desired: [desired("web")],
        live: liveOf(owned("web", "hash-web", suspendedBy)),
        diff: () => changes,
      });
      expect(item).toMatchObject({
        action: "skip",
        reason:
          "suspended by alice (https://ci.example.com/jobs/7) at 2026-12-05T06:30:00.000Z: incident 42; held back: drifted from git: 1 field changed by hand",
        suspended: {
          by: "alice (https://ci.example.com/jobs/7)",
          at: "2026-12-05T06:30:00.000Z",
          reason: "incident 42",
        },
      });
      expect(item?.drift).toBeUndefined();
      expect(item?.changes).toEqual(changes);
    });

    it("a change in git is not deployed to a suspended stack", () => {
      const result = plan({
        desired: [desired("web", "new")],
        live: liveOf(owned("web", "old", suspendedBy)),
      });
      expect(result[0]?.action).toBe("skip");
      expect(result[0]?.reason).toContain("held back: desired state changed");
    });

    it("x-croncd.suspend: true in git skips the stack, with the reason git gives", () => {
      const result = plan({
        desired: [desired("web", "hash-web", { suspend: true, suspendReason: "migrating" }), desired("api")],
        live: liveOf(owned("web")),
      });
      expect(result).toEqual([
        {
          name: "web",
          action: "skip",
          reason: "suspended by git (x-croncd.suspend in stacks/web/compose.yaml): migrating; it matches git",
        },
        { name: "api", action: "create", reason: "new in git" },
      ]);
    });

    it("a suspended stack that left git is kept, whatever the prune guards say", () => {
      const result = plan({
        desired: [desired("api")],
        live: liveOf(owned("api"), owned("web", "x", suspendedBy)),
      });
      expect(result).toContainEqual({
        name: "web",
        action: "skip",
        reason:
          "left git, but kept: suspended by alice (https://ci.example.com/jobs/7) at 2026-12-05T06:30:00.000Z: incident 42",
      });
    });

    it("a stack croncd does not own is still refused, suspension labels or not", () => {
      const result = plan({ desired: [desired("web")], live: liveOf(live("web", suspendedBy)) });
      expect(result[0]?.action).toBe("refuse");
    });
  });
});
