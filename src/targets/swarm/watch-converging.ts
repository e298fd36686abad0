/**
 * A stack that matches git while an earlier rollout is still moving (a run cut off mid-watch, a
 * slow update, Swarm replacing a task) is watched, not deployed again: deploying would restart
 * the update Swarm is busy with. Then it is judged like a rollout of this run.
 */
import { describeError } from "../../errors.js";
import type { DockerCli } from "../../ports/docker.js";
import type { Delivered } from "./deliver-stack.js";
import { CRASH_LOOP_WINDOW_MS } from "./health.js";
import type { DesiredStack } from "./model.js";
import { waitForRollout } from "./rollout.js";

export async function watchConverging(
  docker: DockerCli,
  desired: DesiredStack,
  plannedReason: string,
): Promise<Delivered> {
  const started = Date.now();
  try {
    const rollout = await waitForRollout(docker, desired.name, {
      timeoutMs: desired.options.timeoutSeconds * 1000,
      since: new Date(started),
      stableForMs: desired.options.stableForSeconds * 1000,
      // As in the health check: the rollout began before this run, so its failures did too.
      failuresSince: new Date(0),
      crashLoopSince: new Date(started - CRASH_LOOP_WINDOW_MS),
    });
    const durationMs = Date.now() - started;
    if (!rollout.ok) {
      return { action: "failed", reason: `${plannedReason}; then failed: ${rollout.reason}`, durationMs };
    }
    return { action: "unchanged", reason: `${plannedReason}; watched: ${rollout.reason}`, durationMs };
  } catch (error) {
    return { action: "failed", reason: describeError(error), durationMs: Date.now() - started };
  }
}
