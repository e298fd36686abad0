/**
 * `croncd prune --stack NAME`: removes one stack croncd owns on this target, and refuses anything
 * else. It reads no git: the person asked for this one stack to go.
 */
import { describeError } from "../../errors.js";
import { changeEntry, type ChangeSetEntry } from "../../model/changeset.js";
import { createDockerCli, type DockerCli } from "../../ports/docker.js";
import type { PruneOneRequest } from "../registry.js";
import type { SwarmTargetConfig } from "./config.js";
import { removeStack } from "./deploy.js";
import { assertDockerCliVersion } from "./docker-version.js";
import { findOwnedStack } from "./owned-stack.js";
import { stackSuspension } from "./plan.js";
import { describeSuspension } from "../../model/suspension.js";

export async function pruneOneStack(
  target: SwarmTargetConfig,
  request: PruneOneRequest,
  docker: DockerCli = createDockerCli(target.docker),
): Promise<ChangeSetEntry> {
  const make = (action: ChangeSetEntry["action"], reason: string, durationMs?: number) =>
    changeEntry({ kind: "stack", name: request.name, target: target.name }, action, reason, {
      ...(durationMs === undefined ? {} : { durationMs }),
    });
  const started = Date.now();
  try {
    await assertDockerCliVersion(docker, `target ${target.name}`);
    const lookup = await findOwnedStack(docker, target.name, request.name, "removes");
    if ("refusal" in lookup) return make("failed", lookup.refusal);
    const { stack } = lookup;
    // A suspension protects the stack from croncd, this verb included: resuming is a deliberate step.
    const suspension = stackSuspension(stack);
    if (suspension) {
      return make(
        "failed",
        `refused: the stack is ${describeSuspension(suspension)}; croncd resume --stack ${request.name} first, then prune`,
      );
    }
    if (request.dryRun) {
      const services = stack.services.map((service) => service.name).join(", ");
      return make("skipped", `dry run: would remove the stack and its services ${services}`);
    }
    await removeStack(docker, request.name);
    return make(
      "deleted",
      "removed on request (if it is still in git, the next reconcile deploys it again)",
      Date.now() - started,
    );
  } catch (error) {
    return make("failed", describeError(error), Date.now() - started);
  }
}
