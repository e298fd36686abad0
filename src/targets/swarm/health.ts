/**
 * The every-run health check: is a stack that matches git also running as git wants it? Judged
 * from the live state the run reads anyway (one `GET /services` with Swarm's task counts and one
 * `GET /tasks` for the whole target), by the same rules that judge a rollout (rollout-decide.ts):
 *
 * - **failed**: Swarm paused or rolled back the last update (a rolled-back service runs a spec
 *   that is not git's), a slot failed 3 times within the last minute (a crash loop), or the
 *   restart policy gave up and a replica is missing, with the task's own error;
 * - **converging**: an update still in progress, tasks still starting, or tasks that have not yet
 *   run for the stability period (a rollout an earlier run started, or Swarm replacing a task):
 *   the run watches it rather than deploying it again;
 * - **healthy**: every replica runs and has run for the stability period; a job completed; a
 *   service scaled to 0.
 *
 * Pure: the clock is the moment the tasks were read.
 */
import { LABELS } from "./labels.js";
import type { LiveService, LiveStack, LiveTask } from "./model.js";
import {
  decideServices,
  UPDATE_START_GRACE_MS,
  type InspectedService,
  type ParsedReplicas,
  type ServiceFacts,
} from "./rollout-decide.js";
import type { ParsedTask } from "./tasks.js";

export type StackHealth =
  { status: "healthy" } | { status: "converging"; reason: string } | { status: "failed"; reason: string };

/**
 * Failures older than this do not make a crash loop: a service that crashed three times last
 * week and has run since is healthy. Long enough for three restarts with a delay of up to ~15 s.
 */
export const CRASH_LOOP_WINDOW_MS = 60_000;

export interface HealthOptions {
  /** Only services croncd deployed for this target are judged: only their tasks were read. */
  target: string;
  stableForMs: number;
}

/** Undefined when the live state holds no tasks (read without a target): nothing to judge on. */
export function judgeStackHealth(live: LiveStack, options: HealthOptions): StackHealth | undefined {
  if (!live.tasks || !live.observedAt) return undefined;
  const now = live.observedAt;
  const services = live.services.filter(
    (service) => service.runtime && service.labels[LABELS.target] === options.target,
  );
  if (services.length === 0) return undefined;
  const tasksByService = new Map<string, LiveTask[]>();
  for (const task of live.tasks) {
    tasksByService.set(task.serviceId, [...(tasksByService.get(task.serviceId) ?? []), task]);
  }
  const lastChange = Math.max(
    ...services.map((service) => Date.parse(service.runtime?.updatedAt ?? "") || 0),
  );
  const decision = decideServices(
    services.map((service) => serviceFacts(service, tasksByService.get(service.id) ?? [], now)),
    {
      since: now,
      now,
      // A health check never times out: what is still moving is watched by the run, with a deadline.
      deadline: new Date(now.getTime() + 1),
      // A spec written a moment ago may not have reached Swarm's updater yet.
      updateStartGraceUntil: new Date(lastChange + UPDATE_START_GRACE_MS),
      failuresSince: new Date(0),
      // Only the current spec's tasks: a crash loop fixed by the last deploy is over, even though
      // its failed tasks are younger than the window (else the run after a fix says "failed" again).
      crashLoopSince: new Date(Math.max(now.getTime() - CRASH_LOOP_WINDOW_MS, lastChange)),
      stableForMs: options.stableForMs,
    },
  );
  if (decision.outcome.ok) return { status: "healthy" };
  if (decision.done) return { status: "failed", reason: decision.outcome.reason };
  return { status: "converging", reason: decision.outcome.reason.replace(/^waiting for /, "") };
}

function serviceFacts(service: LiveService, tasks: readonly LiveTask[], now: Date): ServiceFacts {
  const runtime = service.runtime ?? {};
  const inspected: InspectedService = {
    ID: service.id,
    Spec: service.spec as InspectedService["Spec"],
    ...(runtime.previousSpec ? { PreviousSpec: runtime.previousSpec } : {}),
    ...(runtime.updateStatus ? { UpdateStatus: runtime.updateStatus } : {}),
  };
  const parsed = tasks.map((task) => parsedTask(service.name, task, now));
  return { inspected, replicas: replicasOf(inspected, runtime.counts, parsed), tasks: parsed };
}

/** A task in the shape the rules read: its slot named as the CLI names it, its age exact. */
export function parsedTask(serviceName: string, task: LiveTask, now: Date): ParsedTask {
  const ageMs = Math.max(0, now.getTime() - (Date.parse(task.timestamp) || 0));
  return {
    id: task.id,
    slot: `${serviceName}.${task.slot || task.nodeId || task.id}`,
    state: task.state.toLowerCase(),
    desired: task.desiredState.toLowerCase(),
    age: { minMs: ageMs, maxMs: ageMs + 1 },
    ...(task.error ? { error: task.error } : {}),
  };
}

/**
 * Running and wanted tasks as Swarm counts them (`ServiceStatus`, API 1.41+), with a job's
 * completions; from the tasks themselves where the daemon does not count.
 */
export function replicasOf(
  inspected: InspectedService,
  counts: { running: number; desired: number; completed: number } | undefined,
  tasks: readonly ParsedTask[],
): ParsedReplicas {
  const mode = (inspected.Spec.Mode ?? {}) as {
    Replicated?: { Replicas?: number };
    ReplicatedJob?: { TotalCompletions?: number; MaxConcurrent?: number };
    GlobalJob?: unknown;
  };
  const running =
    counts?.running ?? tasks.filter((task) => task.state === "running" && task.desired === "running").length;
  const completed = counts?.completed ?? tasks.filter((task) => task.state === "complete").length;
  const desired =
    counts?.desired ??
    mode.Replicated?.Replicas ??
    tasks.filter((task) => task.desired === "running" || task.desired === "ready").length;
  if (mode.ReplicatedJob) {
    const total = mode.ReplicatedJob.TotalCompletions ?? mode.ReplicatedJob.MaxConcurrent ?? 1;
    return { running, desired, completed, total };
  }
  // A global job runs once per node: it is done when no node has one left to run.
  if (mode.GlobalJob) return { running, desired, completed, total: Math.max(completed, desired) };
  return { running, desired };
}
