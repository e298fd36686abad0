// judgeStackHealth on live state shaped as the Engine API returns it (GET /services?status=true,
// GET /tasks), as a run reads it before planning. Times are relative to the moment of the read.
import { describe, expect, it } from "vitest";
import { CRASH_LOOP_WINDOW_MS, judgeStackHealth } from "../../../src/targets/swarm/health.js";
import { LABELS } from "../../../src/targets/swarm/labels.js";
import type { LiveService, LiveStack, LiveTask, ServiceRuntime } from "../../../src/targets/swarm/model.js";

const observedAt = new Date("2026-12-05T03:00:00.000Z");
const ago = (seconds: number) => new Date(observedAt.getTime() - seconds * 1000).toISOString();
const OPTIONS = { target: "prod", stableForMs: 5_000 };

function service(
  name: string,
  runtime: ServiceRuntime,
  spec: Record<string, unknown> = { Mode: { Replicated: { Replicas: 1 } } },
  target = "prod",
): LiveService {
  return {
    id: `id-${name}`,
    name,
    stack: "web",
    labels: { [LABELS.target]: target },
    spec: { Name: name, ...spec },
    runtime: { updatedAt: ago(3600), ...runtime },
  };
}

const counts = (running: number, desired: number, completed = 0) => ({ running, desired, completed });

function task(
  serviceName: string,
  state: string,
  desiredState: string,
  secondsAgo: number,
  fields: Partial<LiveTask> = {},
): LiveTask {
  return {
    id: `t-${serviceName}-${state}-${secondsAgo}`,
    serviceId: `id-${serviceName}`,
    slot: 1,
    state,
    desiredState,
    timestamp: ago(secondsAgo),
    ...fields,
  };
}

const stack = (services: LiveService[], tasks: LiveTask[]): LiveStack => ({
  name: "web",
  services,
  tasks,
  observedAt,
});

describe("judgeStackHealth", () => {
  it("a service whose replicas have run past the stability period is healthy", () => {
    const live = stack(
      [service("web_app", { counts: counts(1, 1), updateStatus: { State: "completed" } })],
      [task("web_app", "running", "running", 120), task("web_app", "shutdown", "shutdown", 125)],
    );
    expect(judgeStackHealth(live, OPTIONS)).toEqual({ status: "healthy" });
  });

  it("an update Swarm paused is a failure, with the error of the task it names", () => {
    const live = stack(
      [
        service("web_app", {
          counts: counts(0, 1),
          updateStatus: {
            State: "paused",
            Message: "update paused due to failure or early termination of task t-bad",
          },
        }),
      ],
      [task("web_app", "rejected", "shutdown", 3600, { id: "t-bad", error: "No such image: nothing:2" })],
    );
    expect(judgeStackHealth(live, OPTIONS)).toEqual({
      status: "failed",
      reason:
        "web_app: update paused: update paused due to failure or early termination of task t-bad: " +
        "No such image: nothing:2",
    });
  });

  it("a rolled-back service is a failure although its old version runs fine: it is not git's spec", () => {
    const live = stack(
      [
        service("web_app", {
          counts: counts(1, 1),
          updateStatus: { State: "rollback_completed", Message: "rollback completed" },
        }),
      ],
      [task("web_app", "running", "running", 600)],
    );
    expect(judgeStackHealth(live, OPTIONS)).toEqual({
      status: "failed",
      reason: "web_app: rolled back: rollback completed",
    });
  });

  it("a slot that failed three times within the last minute is a crash loop, even while a task runs", () => {
    const exit = { error: "task: non-zero exit (3)" };
    const live = stack(
      [service("web_app", { counts: counts(1, 1) })],
      [
        task("web_app", "running", "running", 1),
        task("web_app", "failed", "shutdown", 3, exit),
        task("web_app", "failed", "shutdown", 7, exit),
        task("web_app", "failed", "shutdown", 11, exit),
      ],
    );
    expect(judgeStackHealth(live, OPTIONS)).toEqual({
      status: "failed",
      reason:
        "web_app: tasks keep failing: web_app.1 failed 3 times since the deploy: task: non-zero exit (3)",
    });
  });

  it("a crash loop long over does not condemn a service that has run fine since", () => {
    const old = CRASH_LOOP_WINDOW_MS / 1000 + 60;
    const live = stack(
      [service("web_app", { counts: counts(1, 1) })],
      [
        task("web_app", "running", "running", old - 10),
        task("web_app", "failed", "shutdown", old, { error: "task: non-zero exit (3)" }),
        task("web_app", "failed", "shutdown", old + 5, { error: "task: non-zero exit (3)" }),
        task("web_app", "failed", "shutdown", old + 10, { error: "task: non-zero exit (3)" }),
      ],
    );
    expect(judgeStackHealth(live, OPTIONS)).toEqual({ status: "healthy" });
  });

  it("a replica whose restart policy gave up long ago is a failure, not something to wait for", () => {
    const live = stack(
      [
        service(
          "web_app",
          { counts: counts(0, 1) },
          {
            Mode: { Replicated: { Replicas: 1 } },
            TaskTemplate: { RestartPolicy: { Condition: "on-failure", MaxAttempts: 1 } },
          },
        ),
      ],
      [task("web_app", "failed", "shutdown", 7200, { error: "task: non-zero exit (1)" })],
    );
    expect(judgeStackHealth(live, OPTIONS)).toEqual({
      status: "failed",
      reason:
        "web_app: web_app.1 failed and Swarm will not restart it " +
        "(restart_policy condition: on-failure, max_attempts: 1): task: non-zero exit (1)",
    });
  });

  it("an update still in progress is converging, to be watched", () => {
    const live = stack(
      [
        service("web_app", {
          counts: counts(2, 2),
          updateStatus: { State: "updating", Message: "update in progress" },
        }),
      ],
      [task("web_app", "running", "running", 4), task("web_app", "running", "running", 30, { slot: 2 })],
    );
    expect(judgeStackHealth(live, OPTIONS)).toEqual({
      status: "converging",
      reason: "web_app: updating (update in progress), 2/2 running",
    });
  });

  it("a task that has not yet run for the monitor and stability periods is converging", () => {
    const live = stack(
      [service("web_app", { counts: counts(1, 1) })],
      [task("web_app", "running", "running", 8)],
    );
    expect(judgeStackHealth(live, OPTIONS)).toEqual({
      status: "converging",
      reason: "web_app: 1/1 running, not yet for 10.0s (update_config.monitor + x-croncd.stableFor)",
    });
  });

  it("a completed job, a service scaled to 0 and a global service on every node are healthy", () => {
    const live = stack(
      [
        service(
          "web_migrate",
          { counts: counts(0, 1, 1) },
          { Mode: { ReplicatedJob: { MaxConcurrent: 1, TotalCompletions: 1 } } },
        ),
        service("web_off", { counts: counts(0, 0) }, { Mode: { Replicated: { Replicas: 0 } } }),
        service("web_agent", { counts: counts(1, 1) }, { Mode: { Global: {} } }),
      ],
      [
        task("web_migrate", "complete", "complete", 900, { slot: 0, nodeId: "n1" }),
        task("web_agent", "running", "running", 900, { slot: 0, nodeId: "n1" }),
      ],
    );
    expect(judgeStackHealth(live, OPTIONS)).toEqual({ status: "healthy" });
  });

  it("counts tasks itself where the daemon does not (API before 1.41)", () => {
    const live = stack(
      [service("web_app", {}, { Mode: { Replicated: { Replicas: 2 } } })],
      [task("web_app", "running", "running", 300), task("web_app", "pending", "running", 300, { slot: 2 })],
    );
    expect(judgeStackHealth(live, OPTIONS)).toEqual({
      status: "converging",
      reason: "web_app: 1/2 running",
    });
  });

  it("judges only the services croncd deployed for this target, and nothing without tasks read", () => {
    const foreign = service("web_other", { counts: counts(0, 1) }, undefined, "staging");
    expect(judgeStackHealth(stack([foreign], []), OPTIONS)).toBeUndefined();
    const withoutTasks: LiveStack = {
      name: "web",
      services: [service("web_app", { counts: counts(0, 1), updateStatus: { State: "paused" } })],
    };
    expect(judgeStackHealth(withoutTasks, OPTIONS)).toBeUndefined();
  });
});
