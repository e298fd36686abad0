/**
 * The pure half of watching a rollout: given what `docker service ls`, `docker service inspect` and
 * `docker service ps` said about a stack at one moment, is the rollout done, and did it work? The
 * every-run health check (health.ts) asks the same of the Engine API's answers, with wider windows.
 *
 * A service has **converged** when
 * - its update finished (`UpdateStatus.State` `completed`) or it has no update status (new, or
 *   unchanged by the deploy), all its replicas (for a global service: one per eligible node) run,
 *   and each has run for the service's own monitor period (`update_config.monitor`, 5 s by
 *   default, at most 30 s here; the grace Swarm gives an updated task before it calls the update
 *   good) plus the stack's stability period (`x-croncd.stableFor`): a container that crashes a few
 *   seconds after Swarm's monitor window must not count as converged, or
 * - it is a job (`replicated-job`, `global-job`) and all its completions are done.
 *
 * A service has **failed**, whatever else it shows, when
 * - its update status is `rollback_started`, `rollback_completed`, `rollback_paused` (Swarm rolled
 *   the change back: never a success) or `paused` (Swarm stopped the update after a task failed);
 * - one of its slots (`web_app.1`, or a node for global services) had 3 or more tasks end `Failed`
 *   or `Rejected` since the deploy started (a crash loop: no image, a command that exits, a failing
 *   health check with `failure_action: continue`…);
 * - it is short of tasks, a task of it failed since the deploy at least 2 s ago, and Swarm started
 *   no replacement: the restart policy gave up (`max_attempts` reached, `condition: none`, or
 *   `on-failure` for a job).
 *
 * Otherwise it is still **pending**; once the deadline passed, the rollout has timed out.
 *
 * "Since the deploy" uses the task ages the docker CLI prints (`Failed 3 seconds ago`, measured with
 * the CLI's clock against the daemon's timestamps): a task counts when it may have ended at or after
 * `since`. A clock skew between the croncd host and the Swarm manager shifts that window by as much.
 *
 * `docker stack deploy` writes every service of the stack and that resets its `UpdateStatus`
 * (observed with a 20.10 daemon), so an update status always belongs to this deploy. A service whose
 * task template differs from its previous spec but shows no update status yet is given a few seconds
 * for Swarm's updater to pick it up: until then its old tasks would look converged.
 */
import { parseTask, serviceOfTask, type ParsedTask, type TaskRow } from "./tasks.js";

export interface RolloutService {
  name: string;
  /**
   * Converged: `completed` (update done), `running` (all replicas up and stable), `complete` (job).
   * Failed: `rollback_started`, `rollback_completed`, `rollback_paused`, `paused`, `crash_loop`,
   * `gave_up` (restart policy exhausted). Still moving (at a timeout): `updating`, `update_pending`,
   * `starting`, `monitoring`, `job_running`.
   */
  state: string;
  /** The task's own error (`No such image: …`, `task: non-zero exit (1)`), when there is one. */
  error?: string;
}

export interface RolloutOutcome {
  ok: boolean;
  /** One line a person can act on: `web_app: rolled back: …: task: non-zero exit (1)`, `converged in 4.2s`. */
  reason: string;
  /** Per service: final state and the task's own error message when there is one. */
  services: RolloutService[];
}

/** One line of `docker service ls --format '{{json .}}'`. */
export interface ServiceListRow {
  ID?: string;
  Name: string;
  /** `replicated`, `global`, `replicated job`, `global job`. */
  Mode?: string;
  /** `2/2`, `1/1 (max 1 per node)`, jobs: `0/1 (1/1 completed)`. */
  Replicas: string;
}

interface InspectedSpec {
  Name: string;
  TaskTemplate?: {
    RestartPolicy?: { Condition?: string; MaxAttempts?: number; [key: string]: unknown } | null;
    [key: string]: unknown;
  };
  Mode?: Record<string, unknown>;
  UpdateConfig?: { Monitor?: number; [key: string]: unknown } | null;
  [key: string]: unknown;
}

/** What the decision reads of one service in `docker service inspect`. */
export interface InspectedService {
  ID: string;
  Spec: InspectedSpec;
  PreviousSpec?: { TaskTemplate?: unknown; [key: string]: unknown } | null;
  UpdateStatus?: { State?: string; Message?: string; StartedAt?: string; CompletedAt?: string } | null;
  [key: string]: unknown;
}

/**
 * What the rules read of one service, whoever asked the daemon: `fromCliSnapshot` builds it from
 * the CLI's rows, health.ts from the Engine API's objects.
 */
export interface ServiceFacts {
  inspected: InspectedService;
  /** Undefined when the count could not be read. */
  replicas: ParsedReplicas | undefined;
  /** How the count reads for a person when it could not be parsed (`Replicas` of `service ls`). */
  replicasText?: string;
  /** `replicated job`… as `service ls` prints it; only read when the spec has no `Mode`. */
  modeText?: string;
  /** The service's tasks, current and past. */
  tasks: ParsedTask[];
}

/** One look at a stack: three docker calls' worth. */
export interface RolloutSnapshot {
  listed: ServiceListRow[];
  inspected: InspectedService[];
  tasks: TaskRow[];
}

export interface RolloutClock {
  /** When the deploy started: tasks that ended before it are ignored. */
  since: Date;
  now: Date;
  deadline: Date;
  /**
   * Until when a service whose task template changed but that shows no update status is taken as
   * "update not started yet" rather than judged on its (old) tasks. Default: `since` + 5 s.
   */
  updateStartGraceUntil?: Date;
  /**
   * Failed tasks that ended before this are ignored (default: `since`). The every-run health check
   * looks at all of them: a restart policy that gave up an hour ago still leaves a service short.
   */
  failuresSince?: Date;
  /**
   * Failures that count towards a crash loop (default: `failuresSince`): the health check counts only
   * recent ones, so a crash loop long over does not condemn a service that has run fine since.
   */
  crashLoopSince?: Date;
  /** How long every task must have run beyond the monitor period (default DEFAULT_STABLE_FOR_MS). */
  stableForMs?: number;
}

export interface RolloutDecision {
  /** True once the outcome is final: converged, failed or timed out. */
  done: boolean;
  /** When not done: `ok: false` and a reason saying what is awaited. */
  outcome: RolloutOutcome;
}

/** Failures of one slot since the deploy that make a crash loop. */
export const CRASH_LOOP_FAILURES = 3;
/** How long a slot may stay without a replacement after a failure before Swarm is taken to have given up. */
export const GIVE_UP_AFTER_MS = 2_000;
export const UPDATE_START_GRACE_MS = 5_000;
/** Swarm's default `update_config.monitor`. */
export const DEFAULT_MONITOR_MS = 5_000;
/** A longer monitor period is not waited for in full. */
export const MAX_MONITOR_MS = 30_000;
/** `x-croncd.stableFor` unless set: how long tasks must stay up past Swarm's monitor period. */
export const DEFAULT_STABLE_FOR_MS = 5_000;

const FAILED_TASK_STATES = new Set(["failed", "rejected"]);
const UPDATE_FAILURES: Record<string, string> = {
  rollback_started: "rolling back",
  rollback_completed: "rolled back",
  rollback_paused: "rollback paused",
  paused: "update paused",
};

export interface ParsedReplicas {
  running: number;
  desired: number;
  /** Jobs only. */
  completed?: number;
  total?: number;
}

/** `2/2`, `1/1 (max 1 per node)`, and for jobs `0/1 (1/1 completed)`. */
export function parseReplicas(text: string): ParsedReplicas | undefined {
  const running = /^\s*(\d+)\/(\d+)/.exec(text);
  if (!running) return undefined;
  const parsed: ParsedReplicas = { running: Number(running[1]), desired: Number(running[2]) };
  const job = /\((\d+)\/(\d+) completed\)/.exec(text);
  if (job) {
    parsed.completed = Number(job[1]);
    parsed.total = Number(job[2]);
  }
  return parsed;
}

interface Verdict extends RolloutService {
  status: "converged" | "failed" | "pending";
  /** For the reason: `rolled back: …`, `1/2 running`. */
  detail: string;
}

export function decideRollout(snapshot: RolloutSnapshot, clock: RolloutClock): RolloutDecision {
  return decideServices(fromCliSnapshot(snapshot), clock);
}

/** The CLI's rows of one look, grouped per service; rows of services not inspected are left out. */
export function fromCliSnapshot(snapshot: RolloutSnapshot): ServiceFacts[] {
  const inspectedByName = new Map(snapshot.inspected.map((service) => [service.Spec.Name, service]));
  const names = snapshot.listed.map((row) => row.Name).filter((name) => inspectedByName.has(name));
  const tasksByService = new Map<string, ParsedTask[]>(names.map((name) => [name, []]));
  for (const row of snapshot.tasks) {
    const service = serviceOfTask(row.Name, names);
    if (service) tasksByService.get(service)?.push(parseTask(row));
  }
  return snapshot.listed
    .filter((row) => inspectedByName.has(row.Name))
    .map((row) => ({
      inspected: inspectedByName.get(row.Name) as InspectedService,
      replicas: parseReplicas(row.Replicas),
      replicasText: row.Replicas,
      ...(row.Mode ? { modeText: row.Mode } : {}),
      tasks: tasksByService.get(row.Name) ?? [],
    }));
}

/** The verdict on a whole stack: failed if one service failed, converged once all converged. */
export function decideServices(facts: readonly ServiceFacts[], clock: RolloutClock): RolloutDecision {
  const verdicts = facts
    .map((service) => judgeService(service, clock))
    .sort((a, b) => a.name.localeCompare(b.name));

  const services = verdicts.map(({ name, state, error }) => ({ name, state, ...(error ? { error } : {}) }));
  const elapsed = seconds(clock.now.getTime() - clock.since.getTime());
  const failed = verdicts.filter((verdict) => verdict.status === "failed");
  if (failed.length > 0) {
    return { done: true, outcome: { ok: false, reason: describe(failed), services } };
  }
  const pending = verdicts.filter((verdict) => verdict.status === "pending");
  if (pending.length === 0) {
    return { done: true, outcome: { ok: true, reason: `converged in ${elapsed}`, services } };
  }
  if (clock.now.getTime() >= clock.deadline.getTime()) {
    return {
      done: true,
      outcome: { ok: false, reason: `timed out after ${elapsed}: ${describe(pending)}`, services },
    };
  }
  return { done: false, outcome: { ok: false, reason: `waiting for ${describe(pending)}`, services } };
}

function judgeService(facts: ServiceFacts, clock: RolloutClock): Verdict {
  const { inspected, tasks, replicas } = facts;
  const name = inspected.Spec.Name;
  const nowMs = clock.now.getTime();
  const sinceMs = clock.since.getTime();
  const failuresSinceMs = clock.failuresSince?.getTime() ?? sinceMs;
  const crashLoopSinceMs = clock.crashLoopSince?.getTime() ?? failuresSinceMs;
  const newestFirst = [...tasks].sort((a, b) => (a.age?.minMs ?? Infinity) - (b.age?.minMs ?? Infinity));
  // Ended at or after `failuresSince`, as far as the rounded age can tell.
  const endedSince = (task: ParsedTask, fromMs: number) =>
    FAILED_TASK_STATES.has(task.state) && task.age !== undefined && nowMs - task.age.minMs >= fromMs;
  const failures = newestFirst.filter((task) => endedSince(task, failuresSinceMs));
  const verdict = (status: Verdict["status"], state: string, detail: string, error?: string): Verdict => ({
    name,
    status,
    state,
    detail: error ? `${detail}: ${error}` : detail,
    ...(error ? { error } : {}),
  });

  // 1. Swarm itself stopped or reverted the update.
  const update = inspected.UpdateStatus?.State ? inspected.UpdateStatus : undefined;
  const updateState = update?.State ?? "";
  const updateLabel = UPDATE_FAILURES[updateState];
  if (update && updateLabel !== undefined) {
    const message = update.Message?.trim();
    const named = /\btask ([a-z0-9]+)/i.exec(message ?? "")?.[1];
    const namedError = named ? tasks.find((task) => task.id.startsWith(named))?.error : undefined;
    const error = namedError ?? failures.find((task) => task.error)?.error;
    return verdict("failed", updateState, message ? `${updateLabel}: ${message}` : updateLabel, error);
  }

  // 2. A slot that keeps failing.
  const failuresBySlot = new Map<string, ParsedTask[]>();
  for (const task of failures.filter((failure) => endedSince(failure, crashLoopSinceMs)))
    failuresBySlot.set(task.slot, [...(failuresBySlot.get(task.slot) ?? []), task]);
  const [loopSlot, loop] = [...failuresBySlot].sort((a, b) => b[1].length - a[1].length)[0] ?? [];
  if (loopSlot !== undefined && loop !== undefined && loop.length >= CRASH_LOOP_FAILURES) {
    return verdict(
      "failed",
      "crash_loop",
      `tasks keep failing: ${loopSlot} failed ${loop.length} times since the deploy`,
      loop.find((task) => task.error)?.error,
    );
  }

  const job = isJob(facts);
  const running = replicas?.running ?? 0;
  const desired = replicas?.desired ?? 0;
  const settled = job
    ? replicas?.completed !== undefined && replicas.completed === replicas.total
    : replicas !== undefined && running === desired;

  // 3. Short of tasks after a failure, and Swarm is not starting another one.
  const newestFailure = failures[0];
  if (!settled && newestFailure?.age && newestFailure.age.minMs >= GIVE_UP_AFTER_MS) {
    const active = tasks.filter((task) =>
      job
        ? task.desired === "running" ||
          task.desired === "ready" ||
          (task.desired === "complete" && task.state !== "complete")
        : task.desired === "running" || task.desired === "ready",
    ).length;
    if (job ? active === 0 : active < desired) {
      return verdict(
        "failed",
        "gave_up",
        `${newestFailure.slot} failed and Swarm will not restart it (${restartPolicy(inspected)})`,
        failures.find((task) => task.error)?.error,
      );
    }
  }

  // 4. Still moving, or converged.
  // Why it is not there yet: a failure since the deploy, or a live task's complaint (`no suitable node`).
  const pendingError = newestFirst.find(
    (task) =>
      task.error && (failures.includes(task) || (task.desired !== "shutdown" && task.desired !== "remove")),
  )?.error;
  const replicaText = replicas
    ? `${running}/${desired} running`
    : `replicas ${facts.replicasText || "unknown"}`;
  if (job) {
    if (settled) return verdict("converged", "complete", "complete");
    const progress =
      replicas?.total !== undefined ? `${replicas.completed}/${replicas.total} completed` : replicaText;
    return verdict("pending", "job_running", progress, pendingError);
  }
  const stableMs = monitorPeriod(inspected) + (clock.stableForMs ?? DEFAULT_STABLE_FOR_MS);
  // Every wanted task has run for the stability period (a crash just after Swarm's monitor window
  // shows as a young replacement, or as a missing replica).
  const stable = () =>
    tasks.filter(
      (task) => task.state === "running" && task.desired === "running" && (task.age?.minMs ?? 0) >= stableMs,
    ).length >= desired;
  const notYetStable = `${replicaText}, not yet for ${seconds(stableMs)} (update_config.monitor + x-croncd.stableFor)`;
  if (update) {
    if (updateState === "completed") {
      if (!settled) return verdict("pending", "starting", `update completed, ${replicaText}`, pendingError);
      return stable()
        ? verdict("converged", "completed", "update completed")
        : verdict("pending", "monitoring", `update completed, ${notYetStable}`, pendingError);
    }
    const message = update.Message?.trim();
    return verdict(
      "pending",
      updateState === "updating" ? "updating" : updateState,
      `${updateState}${message ? ` (${message})` : ""}, ${replicaText}`,
      pendingError,
    );
  }
  const graceUntil = clock.updateStartGraceUntil?.getTime() ?? sinceMs + UPDATE_START_GRACE_MS;
  // With no replica wanted Swarm's updater has no task to replace and never reports an update.
  const replicated = inspected.Spec.Mode?.Replicated as { Replicas?: number } | undefined;
  const noReplicaWanted = replicated?.Replicas === 0;
  if (nowMs < graceUntil && !noReplicaWanted && templateChanged(inspected)) {
    return verdict("pending", "update_pending", "update not started yet");
  }
  if (!settled) return verdict("pending", "starting", replicaText, pendingError);
  if (stable()) return verdict("converged", "running", replicaText);
  return verdict("pending", "monitoring", notYetStable, pendingError);
}

function isJob(facts: ServiceFacts): boolean {
  const mode = facts.inspected.Spec.Mode;
  if (mode) return "ReplicatedJob" in mode || "GlobalJob" in mode;
  return /\bjob\b/i.test(facts.modeText ?? "");
}

/**
 * The deploy changed what tasks run, so Swarm's updater has work to do. The daemon prints
 * `PreviousSpec` with fewer defaults filled in (no `RestartPolicy`, no empty `DNSConfig`), so a
 * field missing (or null) on either side is not a difference.
 */
function templateChanged(inspected: InspectedService): boolean {
  const previous = inspected.PreviousSpec?.TaskTemplate;
  return previous !== undefined && differs(previous, inspected.Spec.TaskTemplate);
}

function differs(a: unknown, b: unknown): boolean {
  if (a === undefined || a === null || b === undefined || b === null) return false;
  if (isEmpty(a) || isEmpty(b)) return isEmpty(a) !== isEmpty(b);
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return true;
    return a.some((item, index) => differs(item, b[index]));
  }
  if (typeof a === "object" && typeof b === "object") {
    const left = a as Record<string, unknown>;
    const right = b as Record<string, unknown>;
    return [...new Set([...Object.keys(left), ...Object.keys(right)])].some((key) =>
      differs(left[key], right[key]),
    );
  }
  return a !== b;
}

function isEmpty(value: unknown): boolean {
  if (Array.isArray(value)) return value.length === 0;
  return typeof value === "object" && value !== null && Object.keys(value).length === 0;
}

function monitorPeriod(inspected: InspectedService): number {
  // Go durations are nanoseconds; 0 or absent means Swarm's default.
  const nanoseconds = inspected.Spec.UpdateConfig?.Monitor ?? 0;
  const ms = nanoseconds > 0 ? nanoseconds / 1e6 : DEFAULT_MONITOR_MS;
  return Math.min(ms, MAX_MONITOR_MS);
}

function restartPolicy(inspected: InspectedService): string {
  const policy = inspected.Spec.TaskTemplate?.RestartPolicy;
  const condition = policy?.Condition ?? "any";
  const attempts = policy?.MaxAttempts ?? 0;
  return `restart_policy condition: ${condition}${attempts > 0 ? `, max_attempts: ${attempts}` : ""}`;
}

function describe(verdicts: readonly Verdict[]): string {
  return verdicts.map((verdict) => `${verdict.name}: ${verdict.detail}`).join("; ");
}

function seconds(ms: number): string {
  return `${(Math.max(0, ms) / 1000).toFixed(1)}s`;
}
