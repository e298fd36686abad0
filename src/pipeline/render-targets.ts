/**
 * Stage 2, render: every target's desired state, before any target is planned. Pruning anywhere
 * needs to know that the desired state was read whole — every source pulled, every stack of every
 * target rendered — so this stage finishes for all targets first.
 */
import type { TargetConfig } from "../config/schema.js";
import { describeError } from "../errors.js";
import type { ChangeSetEntry } from "../model/changeset.js";
import type { Logger } from "../report/logger.js";
import {
  createSwarmTarget,
  readTargetLiveState,
  type LiveState,
  type SwarmTarget,
} from "../targets/swarm/index.js";
import type { DesiredStack } from "../targets/swarm/model.js";
import type { RenderedItems } from "../targets/target.js";
import type { PulledSource } from "./pull.js";
import type { Workspace } from "./workspace.js";

export interface RenderedTarget {
  config: TargetConfig;
  /** Present when the target's source was pulled and its stacks could be listed. */
  target?: SwarmTarget;
  rendered?: RenderedItems<DesiredStack>;
  /** Why nothing of this target can be planned (its source failed, its path is wrong...). */
  failure?: ChangeSetEntry;
}

/**
 * Starts reading every target's live state at once, for plan and reconcile: it needs no checkout,
 * so it runs while sources are cloned and stacks rendered. A read that fails is reported by the
 * target's plan; one never awaited (its source failed) is not an unhandled rejection.
 */
export function startReadingLiveStates(configs: readonly TargetConfig[]): Map<string, Promise<LiveState>> {
  return new Map(
    configs.map((config) => {
      const live = readTargetLiveState(config);
      live.catch(() => undefined);
      return [config.name, live];
    }),
  );
}

export async function renderTarget(
  config: TargetConfig,
  source: PulledSource,
  env: NodeJS.ProcessEnv,
  log: Logger,
  workspace: Workspace,
  live?: Promise<LiveState>,
): Promise<RenderedTarget> {
  const failed = (reason: string): RenderedTarget => ({
    config,
    failure: { kind: "target", name: config.name, target: config.name, action: "failed", reason },
  });
  if (!source.dir || !source.commit) return failed(`nothing done: ${describeError(source.error)}`);
  const target = createSwarmTarget({
    config,
    checkout: { dir: source.dir, url: source.url, commit: source.commit },
    workDir: workspace.pathFor("plaintext", config.name),
    onSecrets: (values) => {
      for (const value of values) log.masker.add(value);
    },
    env,
    ...(live ? { live } : {}),
  });
  try {
    const rendered = await target.render();
    for (const stack of rendered.items) {
      for (const warning of stack.warnings) log.warn(`[${config.name}] stack ${stack.name}: ${warning}`);
    }
    return { config, target, rendered };
  } catch (error) {
    return failed(describeError(error));
  }
}

/** Why the desired state as a whole is incomplete, or undefined when every part was read. */
export function incompleteness(
  targets: readonly RenderedTarget[],
  failedSources: readonly string[],
): string | undefined {
  if (failedSources.length > 0) return `source ${failedSources.join(", ")} failed`;
  const broken = targets.flatMap((target) =>
    target.failure
      ? [`target ${target.config.name}`]
      : (target.rendered?.failures ?? []).map((f) => `stack ${f.name}`),
  );
  if (broken.length > 0) return `${broken.join(", ")} failed to render`;
  return undefined;
}
