/**
 * The manual "prune stack" trigger: removes one stack that croncd owns on a target, and refuses
 * anything else. It reads no git: the person asked for this one stack to go.
 */
import type { CroncdConfig, SwarmTargetConfig } from "../config/schema.js";
import { ConfigError, describeError, ExitCode } from "../errors.js";
import type { ChangeSetEntry } from "../model/changeset.js";
import { createDockerCli, type DockerCli } from "../ports/docker.js";
import type { Logger } from "../report/logger.js";
import { formatEntry } from "../report/text.js";
import { removeStack } from "../targets/swarm/deploy.js";
import { assertDockerCliVersion } from "../targets/swarm/docker-version.js";
import { readLiveStacks } from "../targets/swarm/live.js";
import { ownedBy } from "../targets/swarm/plan.js";

export interface PruneStackRequest {
  config: CroncdConfig;
  stack: string;
  target?: string;
  dryRun: boolean;
  log: Logger;
  docker?: DockerCli;
}

export async function pruneStack(
  request: PruneStackRequest,
): Promise<{ exitCode: ExitCode; entries: ChangeSetEntry[] }> {
  const target = chooseTarget(request.config, request.target);
  const docker = request.docker ?? createDockerCli(target.docker);
  const entry = await pruneOwnedStack(docker, target, request);
  request.log.info(formatEntry(entry, "reconcile"));
  return { exitCode: entry.action === "failed" ? ExitCode.failed : ExitCode.ok, entries: [entry] };
}

async function pruneOwnedStack(
  docker: DockerCli,
  target: SwarmTargetConfig,
  request: PruneStackRequest,
): Promise<ChangeSetEntry> {
  const make = (action: ChangeSetEntry["action"], reason: string, durationMs?: number): ChangeSetEntry => ({
    kind: "stack",
    name: request.stack,
    target: target.name,
    action,
    reason,
    ...(durationMs === undefined ? {} : { durationMs }),
  });
  const started = Date.now();
  try {
    await assertDockerCliVersion(docker, `target ${target.name}`);
    const stack = (await readLiveStacks(docker, `target ${target.name}`)).get(request.stack);
    if (!stack) return make("failed", `no stack named "${request.stack}" runs on target ${target.name}`);
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
    await removeStack(docker, request.stack);
    return make(
      "deleted",
      "removed on request (if it is still in git, the next reconcile deploys it again)",
      Date.now() - started,
    );
  } catch (error) {
    return make("failed", describeError(error), Date.now() - started);
  }
}

function chooseTarget(config: CroncdConfig, name: string | undefined): SwarmTargetConfig {
  if (name) {
    const found = config.targets.find((target) => target.name === name);
    if (!found) {
      throw new ConfigError(
        `no target named "${name}"; known: ${config.targets.map((t) => t.name).join(", ")}`,
        {
          subject: "--target",
        },
      );
    }
    return found;
  }
  const [only, ...others] = config.targets;
  if (!only || others.length > 0) {
    throw new ConfigError("several targets are configured; say which one with --target NAME", {
      subject: "prune",
    });
  }
  return only;
}
