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
import { readLiveStacks } from "./live.js";
import { ownedBy } from "./plan.js";

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
    const stack = (await readLiveStacks(docker, `target ${target.name}`)).get(request.name);
    if (!stack) return make("failed", `no stack named "${request.name}" runs on target ${target.name}`);
    const foreign = stack.services.filter((service) => !ownedBy(service.labels, target.name));
    if (foreign.length > 0) {
      const names = foreign.map((service) => service.name).join(", ");
      return make(
        "failed",
        `refused: croncd target ${target.name} does not own ${names}; croncd only removes stacks it deployed`,
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
