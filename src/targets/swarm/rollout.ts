/**
 * Watching a stack's rollout after `docker stack deploy`. croncd deploys detached
 * (`--detach=false` exits 0 after Swarm rolled an update back, and never returns on finished jobs),
 * so it watches every service of the stack itself until each converged, one failed, or time ran
 * out. The rules are in rollout-decide.ts; here are the docker calls: three per look, whatever the
 * number of services (`service ls`, one `service inspect` and one `service ps` of them all).
 */
import { setTimeout as sleep } from "node:timers/promises";
import { dockerFailure, type DockerCli } from "../../ports/docker.js";
import { TargetError } from "../../errors.js";
import { nonEmptyLines } from "../../util/text-lines.js";
import { STACK_NAMESPACE_LABEL } from "./labels.js";
import {
  decideRollout,
  UPDATE_START_GRACE_MS,
  type InspectedService,
  type RolloutOutcome,
  type RolloutSnapshot,
  type ServiceListRow,
} from "./rollout-decide.js";
import { parseTaskRows } from "./tasks.js";

export { decideRollout } from "./rollout-decide.js";
export type {
  InspectedService,
  RolloutClock,
  RolloutDecision,
  RolloutOutcome,
  RolloutService,
  RolloutSnapshot,
  ServiceListRow,
} from "./rollout-decide.js";
export type { TaskRow } from "./tasks.js";

export interface RolloutOptions {
  timeoutMs: number;
  /** Pause between looks; 1 s unless given. */
  pollMs?: number;
  /** deploy start: tasks older than this are ignored */
  since: Date;
  /** See RolloutClock: the stack's stability period and, for a watch of an earlier rollout, its windows. */
  stableForMs?: number;
  failuresSince?: Date;
  crashLoopSince?: Date;
}

export const DEFAULT_ROLLOUT_POLL_MS = 1000;

/**
 * Watches every service of `stack` until all converged (ok), one failed (with Swarm's and the
 * task's own words), or `timeoutMs` passed. Returns early on the first failure: a rollback is
 * never a success, and waiting for the other services would not change that.
 */
export async function waitForRollout(
  docker: DockerCli,
  stack: string,
  options: RolloutOptions,
): Promise<RolloutOutcome> {
  const pollMs = options.pollMs ?? DEFAULT_ROLLOUT_POLL_MS;
  const watchStart = Date.now();
  const deadline = new Date(watchStart + options.timeoutMs);
  // The first look may come within milliseconds of the deploy, before Swarm's updater started.
  const updateStartGraceUntil = new Date(
    Math.max(options.since.getTime() + UPDATE_START_GRACE_MS, watchStart + 2 * pollMs),
  );
  let failedLooks = 0;
  for (;;) {
    let snapshot: RolloutSnapshot;
    try {
      snapshot = await readRolloutSnapshot(docker, stack);
      failedLooks = 0;
    } catch (error) {
      // One look lost to a network hiccup (ssh://) is retried; a daemon that keeps failing is not.
      failedLooks += 1;
      if (failedLooks >= MAX_FAILED_LOOKS || Date.now() >= deadline.getTime()) throw error;
      await sleep(pollMs);
      continue;
    }
    const now = new Date();
    const decision = decideRollout(snapshot, {
      since: options.since,
      now,
      deadline,
      updateStartGraceUntil,
      ...(options.stableForMs !== undefined ? { stableForMs: options.stableForMs } : {}),
      ...(options.failuresSince ? { failuresSince: options.failuresSince } : {}),
      ...(options.crashLoopSince ? { crashLoopSince: options.crashLoopSince } : {}),
    });
    if (decision.done) return decision.outcome;
    await sleep(pollMs);
  }
}

/** Looks in a row that may fail before waitForRollout gives up with the docker error. */
const MAX_FAILED_LOOKS = 3;

/** One look at a stack: its services listed and inspected, and the tasks of all of them. */
export async function readRolloutSnapshot(docker: DockerCli, stack: string): Promise<RolloutSnapshot> {
  const subject = `stack ${stack}: watch rollout`;
  const listed = await listStackServices(docker, stack, subject);
  if (listed.length === 0) return { listed, inspected: [], tasks: [] };
  const inspected = await inspectServices(
    docker,
    listed.map((service) => service.Name),
    subject,
  );
  // Full IDs: `docker service ps` also matches names and ID prefixes, full IDs only themselves.
  const tasks =
    inspected.length === 0
      ? []
      : parseTaskRows(
          await runTolerant(
            docker,
            [
              "service",
              "ps",
              "--no-trunc",
              "--format",
              "{{json .}}",
              ...inspected.map((service) => service.ID),
            ],
            subject,
          ),
        );
  return { listed, inspected, tasks };
}

/** `docker service ls` of one stack (its namespace label), one row per service. */
export async function listStackServices(
  docker: DockerCli,
  stack: string,
  subject = `stack ${stack}: list services`,
): Promise<ServiceListRow[]> {
  const filter = `label=${STACK_NAMESPACE_LABEL}=${stack}`;
  const stdout = await docker.run(["service", "ls", "--filter", filter, "--format", "{{json .}}"], {
    subject,
  });
  return nonEmptyLines(stdout).map((line) => JSON.parse(line) as ServiceListRow);
}

/** `docker service inspect` of several services in one call; services gone meanwhile are left out. */
export async function inspectServices(
  docker: DockerCli,
  names: readonly string[],
  subject: string,
): Promise<InspectedService[]> {
  if (names.length === 0) return [];
  const stdout = await runTolerant(docker, ["service", "inspect", ...names], subject);
  if (stdout.trim() === "") return [];
  const parsed: unknown = JSON.parse(stdout);
  if (!Array.isArray(parsed))
    throw new TargetError("docker service inspect did not return a list", { subject });
  return parsed as InspectedService[];
}

/**
 * A service removed between `service ls` and the next call (a prune, a person) makes docker exit
 * 1 after printing the others: that output is used, other failures throw.
 */
async function runTolerant(docker: DockerCli, args: string[], subject: string): Promise<string> {
  const result = await docker.tryRun(args, { subject });
  if (result.exitCode === 0) return result.stdout;
  const errors = nonEmptyLines(result.stderr);
  if (errors.length > 0 && errors.every((line) => /no such service/i.test(line))) return result.stdout;
  throw dockerFailure(result, subject);
}
