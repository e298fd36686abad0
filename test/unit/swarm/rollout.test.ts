// decideRollout on what a 20.10 daemon and a docker 28 CLI really printed (`service ls`,
// `service inspect`, `service ps --no-trunc --format '{{json .}}'`), trimmed to the fields that
// matter. Ages in the task rows are relative to `now`.
import { describe, expect, it } from "vitest";
import type { DockerCli } from "../../../src/ports/docker.js";
import {
  decideRollout,
  waitForRollout,
  type InspectedService,
  type RolloutClock,
  type ServiceListRow,
  type TaskRow,
} from "../../../src/targets/swarm/rollout.js";
import { parseAge, parseCurrentState, serviceOfTask, taskError } from "../../../src/targets/swarm/tasks.js";

const since = new Date("2026-11-21T09:36:24.000Z");
const at = (seconds: number): RolloutClock => ({
  since,
  now: new Date(since.getTime() + seconds * 1000),
  deadline: new Date(since.getTime() + 120_000),
});

const template = (image: string) => ({
  ContainerSpec: {
    Image: image,
    Labels: { "com.docker.stack.namespace": "r-rb" },
    Args: ["sleep", "3600"],
    Privileges: { CredentialSpec: null, SELinuxContext: null, NoNewPrivileges: false },
    StopGracePeriod: 1000000000,
    DNSConfig: {},
    Isolation: "default",
  },
  Resources: {},
  RestartPolicy: { Condition: "any", Delay: 1000000000, MaxAttempts: 0 },
  Placement: {},
  Networks: [{ Target: "96n67ngd814oa8a1huqvj3cru", Aliases: ["app"] }],
  ForceUpdate: 0,
  Runtime: "container",
});

/** The daemon prints PreviousSpec with fewer defaults: no RestartPolicy, no empty DNSConfig. */
const previousTemplate = (image: string) => {
  const { ContainerSpec, Resources, Placement, Networks, ForceUpdate, Runtime } = template(image);
  const { Image, Labels, Args, Privileges, StopGracePeriod, Isolation } = ContainerSpec;
  return {
    ContainerSpec: { Image, Labels, Args, Privileges, StopGracePeriod, Isolation },
    Resources,
    Placement,
    Networks,
    ForceUpdate,
    Runtime,
  };
};

function service(
  name: string,
  fields: Partial<InspectedService> & { monitorNs?: number; mode?: Record<string, unknown> } = {},
): InspectedService {
  const { monitorNs, mode, ...rest } = fields;
  return {
    ID: `${name.replace(/[^a-z0-9]/g, "")}0000000000000000000000000`.slice(0, 25),
    Spec: {
      Name: name,
      TaskTemplate: template("croncd-test/busybox:1"),
      Mode: mode ?? { Replicated: { Replicas: 1 } },
      UpdateConfig: {
        Parallelism: 1,
        FailureAction: "pause",
        Monitor: monitorNs ?? 5000000000,
        Order: "stop-first",
      },
    },
    ...rest,
  };
}

const listed = (Name: string, Replicas: string, Mode = "replicated"): ServiceListRow => ({
  ID: "ru3xjxnpyxy9",
  Name,
  Mode,
  Replicas,
});

const task = (Name: string, CurrentState: string, DesiredState: string, Error = "", ID = "x"): TaskRow => ({
  CurrentState,
  DesiredState,
  Error,
  ID,
  Image: "croncd-test/busybox:1",
  Name,
  Node: "vm",
  Ports: "",
});

describe("decideRollout: updates Swarm stopped or reverted", () => {
  it("a rollback in progress fails with Swarm's message and the failed task's own error", () => {
    const decision = decideRollout(
      {
        listed: [listed("r-rb_app", "0/1")],
        inspected: [
          service("r-rb_app", {
            UpdateStatus: {
              State: "rollback_started",
              StartedAt: "2026-11-21T09:36:24.299935134Z",
              Message:
                "update rolled back due to failure or early termination of task 0l5oaa8ntmspr930ok4mxbjrk",
            },
          }),
        ],
        tasks: [
          task("r-rb_app.1", "Preparing less than a second ago", "Ready", "", "a940arlflia8z5ey03pctxj9b"),
          task("r-rb_app.1", "Accepted less than a second ago", "Shutdown", "", "il43kg8s3wcpqq6wc3wokav0t"),
          task(
            "r-rb_app.1",
            "Failed less than a second ago",
            "Shutdown",
            '"task: non-zero exit (137): dockerexec: unhealthy container"',
            "0l5oaa8ntmspr930ok4mxbjrk",
          ),
          task("r-rb_app.1", "Shutdown 6 seconds ago", "Shutdown", "", "es640c8auv5q8hxx1ludi0cyj"),
        ],
      },
      at(9),
    );
    expect(decision).toEqual({
      done: true,
      outcome: {
        ok: false,
        reason:
          "r-rb_app: rolling back: update rolled back due to failure or early termination of task " +
          "0l5oaa8ntmspr930ok4mxbjrk: task: non-zero exit (137): dockerexec: unhealthy container",
        services: [
          {
            name: "r-rb_app",
            state: "rollback_started",
            error: "task: non-zero exit (137): dockerexec: unhealthy container",
          },
        ],
      },
    });
  });

  it("a completed rollback is a failure even though the old version runs fine again", () => {
    const decision = decideRollout(
      {
        listed: [listed("r-rb_app", "1/1")],
        inspected: [
          service("r-rb_app", {
            UpdateStatus: {
              State: "rollback_completed",
              StartedAt: "2026-11-21T09:26:12.072341388Z",
              CompletedAt: "2026-11-21T09:26:28.071839326Z",
              Message: "rollback completed",
            },
          }),
        ],
        tasks: [
          task("r-rb_app.1", "Running 14 seconds ago", "Running"),
          task("r-rb_app.1", "Shutdown 15 seconds ago", "Shutdown"),
          task(
            "r-rb_app.1",
            "Failed 17 seconds ago",
            "Shutdown",
            '"task: non-zero exit (137): dockerexec: unhealthy container"',
          ),
          task("r-rb_app.1", "Shutdown 22 seconds ago", "Shutdown"),
        ],
      },
      at(26),
    );
    expect(decision.done).toBe(true);
    expect(decision.outcome.ok).toBe(false);
    expect(decision.outcome.reason).toBe(
      "r-rb_app: rolled back: rollback completed: task: non-zero exit (137): dockerexec: unhealthy container",
    );
    expect(decision.outcome.services[0]?.state).toBe("rollback_completed");
  });

  it("a paused update names the task that failed and its error", () => {
    const decision = decideRollout(
      {
        listed: [listed("web_app", "0/1")],
        inspected: [
          service("web_app", {
            UpdateStatus: {
              State: "paused",
              Message: "update paused due to failure or early termination of task 8xw2k4o7ydd7p2yhmuk4mfwbs",
            },
          }),
        ],
        tasks: [
          task(
            "web_app.1",
            "Rejected 1 second ago",
            "Shutdown",
            '"No such image: croncd-test/nothing:2"',
            "8xw2k4o7ydd7p2yhmuk4mfwbs",
          ),
          task("web_app.1", "Shutdown 2 seconds ago", "Shutdown"),
        ],
      },
      at(4),
    );
    expect(decision.outcome).toEqual({
      ok: false,
      reason:
        "web_app: update paused: update paused due to failure or early termination of task " +
        "8xw2k4o7ydd7p2yhmuk4mfwbs: No such image: croncd-test/nothing:2",
      services: [{ name: "web_app", state: "paused", error: "No such image: croncd-test/nothing:2" }],
    });
  });

  it("an update in progress is awaited, then times out with what it was doing", () => {
    const snapshot = {
      listed: [listed("r-rb_app", "1/1")],
      inspected: [
        service("r-rb_app", { UpdateStatus: { State: "updating", Message: "update in progress" } }),
      ],
      tasks: [
        task("r-rb_app.1", "Assigned less than a second ago", "Ready"),
        task("r-rb_app.1", "Running 5 seconds ago", "Shutdown"),
      ],
    };
    expect(decideRollout(snapshot, at(1))).toEqual({
      done: false,
      outcome: {
        ok: false,
        reason: "waiting for r-rb_app: updating (update in progress), 1/1 running",
        services: [{ name: "r-rb_app", state: "updating" }],
      },
    });
    expect(decideRollout(snapshot, at(120)).outcome).toEqual({
      ok: false,
      reason: "timed out after 120.0s: r-rb_app: updating (update in progress), 1/1 running",
      services: [{ name: "r-rb_app", state: "updating" }],
    });
  });

  it("a completed update has converged once every new task stayed up for the stability period", () => {
    const snapshot = (youngest: string) => ({
      listed: [listed("w-slow_app", "2/2")],
      inspected: [
        service("w-slow_app", {
          UpdateStatus: { State: "completed", Message: "update completed" },
          PreviousSpec: { TaskTemplate: previousTemplate("croncd-test/busybox:1") },
        }),
      ],
      tasks: [
        task("w-slow_app.1", "Running 17 seconds ago", "Running"),
        task("w-slow_app.1", "Shutdown 17 seconds ago", "Shutdown"),
        task("w-slow_app.2", `Running ${youngest} ago`, "Running"),
        task("w-slow_app.2", "Shutdown 11 seconds ago", "Shutdown"),
      ],
    });
    expect(decideRollout(snapshot("9 seconds"), at(18)).outcome).toEqual({
      ok: false,
      reason:
        "waiting for w-slow_app: update completed, 2/2 running, not yet for 10.0s (update_config.monitor + x-croncd.stableFor)",
      services: [{ name: "w-slow_app", state: "monitoring" }],
    });
    expect(decideRollout(snapshot("10 seconds"), at(19.2))).toEqual({
      done: true,
      outcome: {
        ok: true,
        reason: "converged in 19.2s",
        services: [{ name: "w-slow_app", state: "completed" }],
      },
    });
  });

  it("a task that crashes just after Swarm's monitor window keeps a completed update from converging", () => {
    const decision = decideRollout(
      {
        listed: [listed("w-late_app", "1/1")],
        inspected: [
          service("w-late_app", { UpdateStatus: { State: "completed", Message: "update completed" } }),
        ],
        tasks: [
          task("w-late_app.1", "Running 1 second ago", "Running"),
          task("w-late_app.1", "Failed 2 seconds ago", "Shutdown", '"task: non-zero exit (1)"'),
          task("w-late_app.1", "Shutdown 9 seconds ago", "Shutdown"),
        ],
      },
      at(10),
    );
    expect(decision.done).toBe(false);
    expect(decision.outcome.services).toEqual([
      { name: "w-late_app", state: "monitoring", error: "task: non-zero exit (1)" },
    ]);
  });
});

describe("decideRollout: tasks that keep failing", () => {
  const rejected = (age: string) =>
    task("s-noimg_app.1", `Rejected ${age} ago`, "Shutdown", '"No such image: croncd-test/nothing:1"');

  it("a slot rejected three times since the deploy is a crash loop", () => {
    const decision = decideRollout(
      {
        listed: [listed("s-noimg_app", "0/1")],
        inspected: [service("s-noimg_app")],
        tasks: [
          task("s-noimg_app.1", "Preparing less than a second ago", "Running"),
          rejected("1 second"),
          rejected("2 seconds"),
          rejected("3 seconds"),
        ],
      },
      at(4),
    );
    expect(decision.outcome).toEqual({
      ok: false,
      reason:
        "s-noimg_app: tasks keep failing: s-noimg_app.1 failed 3 times since the deploy: " +
        "No such image: croncd-test/nothing:1",
      services: [{ name: "s-noimg_app", state: "crash_loop", error: "No such image: croncd-test/nothing:1" }],
    });
  });

  it("failures from before the deploy do not count", () => {
    const decision = decideRollout(
      {
        listed: [listed("s-noimg_app", "0/1")],
        inspected: [service("s-noimg_app")],
        tasks: [
          task("s-noimg_app.1", "Preparing less than a second ago", "Running"),
          rejected("1 second"),
          rejected("3 seconds"),
          rejected("4 minutes"),
        ],
      },
      at(2),
    );
    expect(decision.done).toBe(false);
    expect(decision.outcome.reason).toBe(
      "waiting for s-noimg_app: 0/1 running: No such image: croncd-test/nothing:1",
    );
  });

  it("a container that exits at once is not taken for converged while it is briefly running", () => {
    const exited = '"task: non-zero exit (1)"';
    const flicker = decideRollout(
      {
        listed: [listed("w-exit_app", "1/1")],
        inspected: [service("w-exit_app")],
        tasks: [
          task("w-exit_app.1", "Running less than a second ago", "Running"),
          task("w-exit_app.1", "Failed 1 second ago", "Shutdown", exited),
        ],
      },
      at(1.4),
    );
    expect(flicker.done).toBe(false);
    expect(flicker.outcome.services).toEqual([
      { name: "w-exit_app", state: "monitoring", error: "task: non-zero exit (1)" },
    ]);
    expect(flicker.outcome.reason).toBe(
      "waiting for w-exit_app: 1/1 running, not yet for 10.0s (update_config.monitor + x-croncd.stableFor): task: non-zero exit (1)",
    );
  });

  it("a restart policy that gave up is reported once no replacement came for 2 s", () => {
    const snapshot = (age: string) => ({
      listed: [listed("r-exh_app", "0/1")],
      inspected: [
        service("r-exh_app", {
          Spec: {
            Name: "r-exh_app",
            TaskTemplate: {
              ...template("croncd-test/busybox:1"),
              RestartPolicy: { Condition: "on-failure", Delay: 1000000000, MaxAttempts: 1 },
            },
            Mode: { Replicated: { Replicas: 1 } },
          },
        }),
      ],
      tasks: [
        task("r-exh_app.1", `Failed ${age} ago`, "Shutdown", '"task: non-zero exit (1)"'),
        task("r-exh_app.1", "Failed 3 seconds ago", "Shutdown", '"task: non-zero exit (1)"'),
      ],
    });
    expect(decideRollout(snapshot("less than a second"), at(4)).done).toBe(false);
    expect(decideRollout(snapshot("2 seconds"), at(5)).outcome).toEqual({
      ok: false,
      reason:
        "r-exh_app: r-exh_app.1 failed and Swarm will not restart it " +
        "(restart_policy condition: on-failure, max_attempts: 1): task: non-zero exit (1)",
      services: [{ name: "r-exh_app", state: "gave_up", error: "task: non-zero exit (1)" }],
    });
  });

  it("one failed replica with a replacement on its way is still pending", () => {
    const decision = decideRollout(
      {
        listed: [listed("web_app", "1/2")],
        inspected: [service("web_app", { mode: { Replicated: { Replicas: 2 } } })],
        tasks: [
          task("web_app.1", "Running 9 seconds ago", "Running"),
          task("web_app.2", "Ready 3 seconds ago", "Ready"),
          task("web_app.2", "Failed 3 seconds ago", "Shutdown", '"task: non-zero exit (2)"'),
        ],
      },
      at(10),
    );
    expect(decision.done).toBe(false);
    expect(decision.outcome.services).toEqual([
      { name: "web_app", state: "starting", error: "task: non-zero exit (2)" },
    ]);
  });
});

describe("decideRollout: new and unchanged services, jobs", () => {
  it("a new service converges once its tasks ran for the monitor period plus the stability period", () => {
    const snapshot = (age: string) => ({
      listed: [listed("w-slow_side", "1/1")],
      inspected: [service("w-slow_side", { monitorNs: 2000000000 })],
      tasks: [task("w-slow_side.1", `Running ${age} ago`, "Running")],
    });
    const clock = (seconds: number) => ({ ...at(seconds), stableForMs: 3000 });
    expect(decideRollout(snapshot("4 seconds"), clock(6)).done).toBe(false);
    expect(decideRollout(snapshot("5 seconds"), clock(7)).outcome).toEqual({
      ok: true,
      reason: "converged in 7.0s",
      services: [{ name: "w-slow_side", state: "running" }],
    });
  });

  it("a changed service whose update has not started yet is not taken for converged", () => {
    const snapshot = {
      listed: [listed("web_app", "1/1")],
      inspected: [
        service("web_app", {
          Spec: {
            Name: "web_app",
            TaskTemplate: template("croncd-test/busybox:2"),
            Mode: { Replicated: { Replicas: 1 } },
          },
          PreviousSpec: { TaskTemplate: previousTemplate("croncd-test/busybox:1") },
          UpdateStatus: null,
        }),
      ],
      tasks: [task("web_app.1", "Running 10 minutes ago", "Running")],
    };
    expect(decideRollout(snapshot, at(0.1)).outcome.services).toEqual([
      { name: "web_app", state: "update_pending" },
    ]);
    // Past the grace period the service is judged on what runs (a template change Swarm ignores).
    expect(decideRollout(snapshot, at(6)).outcome.ok).toBe(true);
  });

  it("a changed service with no replica wanted converges at once: Swarm reports no update for it", () => {
    const changed = (replicas: string) => ({
      listed: [listed("web_app", replicas)],
      inspected: [
        service("web_app", {
          Spec: {
            Name: "web_app",
            TaskTemplate: template("croncd-test/busybox:2"),
            Mode: { Replicated: { Replicas: 0 } },
          },
          PreviousSpec: { TaskTemplate: previousTemplate("croncd-test/busybox:1") },
          UpdateStatus: null,
        }),
      ],
      tasks: replicas === "0/0" ? [] : [task("web_app.1", "Running 10 minutes ago", "Shutdown")],
    });
    expect(decideRollout(changed("0/0"), at(0.1)).outcome).toEqual({
      ok: true,
      reason: "converged in 0.1s",
      services: [{ name: "web_app", state: "running" }],
    });
    // Scaled down to 0: still waits for the old task to stop.
    expect(decideRollout(changed("1/0"), at(0.1)).outcome.services).toEqual([
      { name: "web_app", state: "starting" },
    ]);
  });

  it("an unchanged service converges at once, though the daemon prints its previous spec with fewer defaults", () => {
    const decision = decideRollout(
      {
        listed: [listed("w-slow_side", "1/1")],
        inspected: [
          service("w-slow_side", {
            PreviousSpec: { TaskTemplate: previousTemplate("croncd-test/busybox:1") },
          }),
        ],
        tasks: [task("w-slow_side.1", "Running 3 minutes ago", "Running")],
      },
      at(0.2),
    );
    expect(decision.outcome).toEqual({
      ok: true,
      reason: "converged in 0.2s",
      services: [{ name: "w-slow_side", state: "running" }],
    });
  });

  it("a replicated job converges when all its completions are done", () => {
    const job = { ReplicatedJob: { MaxConcurrent: 2, TotalCompletions: 2 } };
    const running = decideRollout(
      {
        listed: [listed("s-job_ok", "2/2 (0/2 completed)", "replicated job")],
        inspected: [service("s-job_ok", { mode: job })],
        tasks: [
          task("s-job_ok.1", "Running 2 seconds ago", "Complete"),
          task("s-job_ok.itz1qfetq8jwr3quwwquhhns7", "Running 1 second ago", "Complete"),
        ],
      },
      at(3),
    );
    expect(running.outcome).toMatchObject({ reason: "waiting for s-job_ok: 0/2 completed" });
    const done = decideRollout(
      {
        listed: [listed("s-job_ok", "0/2 (2/2 completed)", "replicated job")],
        inspected: [service("s-job_ok", { mode: job })],
        tasks: [
          task("s-job_ok.1", "Complete 3 seconds ago", "Complete"),
          task("s-job_ok.itz1qfetq8jwr3quwwquhhns7", "Complete 3 seconds ago", "Complete"),
        ],
      },
      at(6),
    );
    expect(done.outcome).toEqual({
      ok: true,
      reason: "converged in 6.0s",
      services: [{ name: "s-job_ok", state: "complete" }],
    });
  });

  it("a job whose restart policy gave up is reported with its exit code", () => {
    const decision = decideRollout(
      {
        listed: [listed("r-job_once", "0/1 (0/1 completed)", "replicated job")],
        inspected: [
          service("r-job_once", {
            Spec: {
              Name: "r-job_once",
              TaskTemplate: {
                ...template("croncd-test/busybox:1"),
                RestartPolicy: { Condition: "on-failure", Delay: 1000000000, MaxAttempts: 1 },
              },
              Mode: { ReplicatedJob: { MaxConcurrent: 1, TotalCompletions: 1 } },
            },
          }),
        ],
        tasks: [
          task(
            "r-job_once.itz1qfetq8jwr3quwwquhhns7",
            "Failed 2 seconds ago",
            "Shutdown",
            '"task: non-zero exit (3)"',
          ),
          task(
            "r-job_once.itz1qfetq8jwr3quwwquhhns7",
            "Failed 3 seconds ago",
            "Shutdown",
            '"task: non-zero exit (3)"',
          ),
        ],
      },
      at(5.3),
    );
    expect(decision.outcome.services).toEqual([
      { name: "r-job_once", state: "gave_up", error: "task: non-zero exit (3)" },
    ]);
  });

  it("a task that cannot be scheduled times out with the scheduler's reason", () => {
    const decision = decideRollout(
      {
        listed: [listed("s-misc_nonode", "0/1")],
        inspected: [service("s-misc_nonode")],
        tasks: [
          {
            ...task(
              "s-misc_nonode.1",
              "Pending 4 seconds ago",
              "Running",
              '"no suitable node (scheduling constraints not satisfied on 1 node)"',
            ),
            Node: "",
          },
        ],
      },
      { ...at(120), deadline: at(120).now },
    );
    expect(decision.outcome).toEqual({
      ok: false,
      reason:
        "timed out after 120.0s: s-misc_nonode: 0/1 running: no suitable node (scheduling constraints not satisfied on 1 node)",
      services: [
        {
          name: "s-misc_nonode",
          state: "starting",
          error: "no suitable node (scheduling constraints not satisfied on 1 node)",
        },
      ],
    });
  });

  it("gives each task to its own service, reports every failure, and passes an empty stack", () => {
    const decision = decideRollout(
      {
        listed: [listed("web_app", "0/1"), listed("web_app2", "1/1")],
        inspected: [service("web_app"), service("web_app2")],
        tasks: [
          task("web_app2.1", "Running 1 minute ago", "Running"),
          task("web_app.1", "Failed 1 second ago", "Shutdown", '"task: non-zero exit (1)"'),
          task("web_app.1", "Failed 3 seconds ago", "Shutdown", '"task: non-zero exit (1)"'),
          task("web_app.1", "Failed 5 seconds ago", "Shutdown", '"task: non-zero exit (1)"'),
          task("other_app.1", "Failed 1 second ago", "Shutdown", '"not ours"'),
        ],
      },
      at(6),
    );
    expect(decision.outcome.services).toEqual([
      { name: "web_app", state: "crash_loop", error: "task: non-zero exit (1)" },
      { name: "web_app2", state: "running" },
    ]);
    expect(decideRollout({ listed: [], inspected: [], tasks: [] }, at(0.5)).outcome).toEqual({
      ok: true,
      reason: "converged in 0.5s",
      services: [],
    });
  });
});

describe("task rows", () => {
  it.each([
    ["less than a second", { minMs: 0, maxMs: 1000 }],
    ["1 second", { minMs: 1000, maxMs: 2000 }],
    ["42 seconds", { minMs: 42_000, maxMs: 43_000 }],
    ["about a minute", { minMs: 60_000, maxMs: 120_000 }],
    ["3 minutes", { minMs: 180_000, maxMs: 240_000 }],
    ["soon", undefined],
  ])("age %s", (text, range) => {
    expect(parseAge(text)).toEqual(range);
  });

  it("reads the state and its age", () => {
    expect(parseCurrentState("Failed 3 seconds ago")).toEqual({
      state: "failed",
      age: { minMs: 3000, maxMs: 4000 },
    });
    expect(parseCurrentState("Running about a minute ago").state).toBe("running");
    expect(parseCurrentState("New")).toEqual({ state: "new" });
  });

  it("takes the CLI's quotes off an error, and only those", () => {
    expect(taskError('"task: non-zero exit (1)"')).toBe("task: non-zero exit (1)");
    expect(
      taskError(
        '"starting container failed: … exec: "/no/such/binary": stat /no/such/binary: no such file or directory: unknown"',
      ),
    ).toBe(
      'starting container failed: … exec: "/no/such/binary": stat /no/such/binary: no such file or directory: unknown',
    );
    expect(taskError("")).toBeUndefined();
  });

  it("finds a task's service by the longest matching name", () => {
    expect(serviceOfTask("web_app2.1", ["web_app", "web_app2"])).toBe("web_app2");
    expect(serviceOfTask("web_app.itz1qfetq8jwr3quwwquhhns7", ["web_app", "web_app2"])).toBe("web_app");
    expect(serviceOfTask("web_db.1", ["web_app"])).toBeUndefined();
  });
});

describe("waitForRollout with a scripted docker CLI", () => {
  /** Answers `service ls`, `service inspect` and `service ps` from canned output, after `failures` errors. */
  function scripted(failures: number) {
    const calls: string[][] = [];
    let failuresLeft = failures;
    const answer = (args: readonly string[]) => {
      calls.push([...args]);
      if (failuresLeft > 0) {
        failuresLeft -= 1;
        return {
          exitCode: 255,
          stdout: "",
          stderr: "error during connect: ssh: connection reset",
          notFound: false,
        };
      }
      const verb = args.slice(0, 2).join(" ");
      const stdout =
        verb === "service ls"
          ? [listed("web_app", "1/1"), listed("web_db", "1/1")].map((row) => JSON.stringify(row)).join("\n")
          : verb === "service inspect"
            ? JSON.stringify([service("web_app"), service("web_db")])
            : [
                task("web_app.1", "Running 2 minutes ago", "Running"),
                task("web_db.1", "Running 2 minutes ago", "Running"),
              ]
                .map((row) => JSON.stringify(row))
                .join("\n");
      return { exitCode: 0, stdout, stderr: "", notFound: false };
    };
    const docker: DockerCli = {
      getJson: (apiPath) => Promise.reject(new Error(`unexpected GET ${apiPath}`)),
      tryRequest: (request) => Promise.reject(new Error(`unexpected ${request.method} ${request.path}`)),
      tryRun: (args) => Promise.resolve(answer(args)),
      run: (args) => {
        const result = answer(args);
        return result.exitCode === 0
          ? Promise.resolve(result.stdout)
          : Promise.reject(new Error(result.stderr));
      },
    };
    return { docker, calls };
  }

  it("reads a stack in three calls, all tasks in one `service ps` of full service IDs", async () => {
    const { docker, calls } = scripted(0);
    const outcome = await waitForRollout(docker, "web", { since: new Date(), timeoutMs: 5000, pollMs: 1 });
    expect(outcome.ok).toBe(true);
    expect(outcome.services).toEqual([
      { name: "web_app", state: "running" },
      { name: "web_db", state: "running" },
    ]);
    expect(calls).toEqual([
      ["service", "ls", "--filter", "label=com.docker.stack.namespace=web", "--format", "{{json .}}"],
      ["service", "inspect", "web_app", "web_db"],
      ["service", "ps", "--no-trunc", "--format", "{{json .}}", service("web_app").ID, service("web_db").ID],
    ]);
  });

  it("retries a look that failed, and gives up with docker's error when they keep failing", async () => {
    const flaky = scripted(2);
    expect(
      (await waitForRollout(flaky.docker, "web", { since: new Date(), timeoutMs: 5000, pollMs: 1 })).ok,
    ).toBe(true);
    const down = scripted(3);
    await expect(
      waitForRollout(down.docker, "web", { since: new Date(), timeoutMs: 5000, pollMs: 1 }),
    ).rejects.toThrow(/connection reset/);
  });
});
