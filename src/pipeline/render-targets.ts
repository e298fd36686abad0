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
import { submoduleProblem } from "./submodule-check.js";

export interface RenderedTarget {
  config: TargetConfig;
  /** Present when the target's source was pulled and its stacks could be listed. */
  target?: SwarmTarget;
  rendered?: RenderedItems<DesiredStack>;
  /** Why nothing of this target can be planned (its source failed, its path is wrong...). */
  failure?: ChangeSetEntry;
}

/**
 * Every target's live state, read from the start of a plan or reconcile run: it needs no checkout,
 * so it runs while sources are cloned and stacks rendered.
 *
 * Used only while nothing has changed the Swarm: once a target deployed or pruned anything, the
 * next targets read again (a stack moved from one target to another must be seen gone). A read
 * that fails is reported by the target's plan; one never used is stopped by `dispose`.
 */
export class EarlyLiveStates {
  private readonly reads: Map<string, Promise<LiveState>>;
  private readonly endpoints: Map<string, string>;
  private readonly abandon = new AbortController();
  private stale = false;
  /** Per docker endpoint, stacks an earlier target's plan would delete (plan runs change nothing). */
  private readonly plannedDeletions = new Map<string, Set<string>>();

  constructor(configs: readonly TargetConfig[]) {
    this.endpoints = new Map(configs.map((config) => [config.name, endpointKey(config)]));
    this.reads = new Map(
      configs.map((config) => {
        const live = readTargetLiveState(config, undefined, this.abandon.signal);
        live.catch(() => undefined);
        return [config.name, live];
      }),
    );
  }

  /**
   * The early read of a target, unless something changed the Swarm after it started; without the
   * stacks an earlier target's plan would delete from the same Swarm, so a plan shows a stack
   * moving between targets as the reconcile will do it.
   */
  take(target: string): Promise<LiveState> | undefined {
    const read = this.stale ? undefined : this.reads.get(target);
    const deletions = this.plannedDeletions.get(this.endpoints.get(target) ?? "");
    if (!read || !deletions) return read;
    return read.then((live) => new Map([...live].filter(([stack]) => !deletions.has(stack))));
  }

  /** A plan run: `target` would delete these stacks before the targets after it run. */
  assumeDeleted(target: TargetConfig, stacks: readonly string[]): void {
    const key = endpointKey(target);
    const deletions = this.plannedDeletions.get(key) ?? new Set<string>();
    for (const stack of stacks) deletions.add(stack);
    this.plannedDeletions.set(key, deletions);
  }

  /** Something was deployed, removed, or may have been (a failed deploy): later reads are stale. */
  markChanged(): void {
    this.stale = true;
  }

  /** Stops reads nobody will use (a target whose source failed), so the run can end at once. */
  dispose(): void {
    this.abandon.abort();
  }
}

/** Targets with the same docker settings talk to the same Swarm. */
function endpointKey(config: TargetConfig): string {
  return JSON.stringify([config.docker?.host ?? "", config.docker?.context ?? ""]);
}

export async function renderTarget(
  config: TargetConfig,
  source: PulledSource,
  env: NodeJS.ProcessEnv,
  log: Logger,
  early?: EarlyLiveStates,
): Promise<RenderedTarget> {
  const failed = (reason: string): RenderedTarget => ({
    config,
    failure: { kind: "target", name: config.name, target: config.name, action: "failed", reason },
  });
  if (!source.dir || !source.commit) return failed(`nothing done: ${describeError(source.error)}`);
  const submodule = submoduleProblem(config.path, source.unfetchedSubmodules ?? [], source.name);
  if (submodule) return failed(submodule);
  const target = createSwarmTarget({
    config,
    checkout: { dir: source.dir, url: source.url, commit: source.commit },
    onSecrets: (values) => {
      for (const value of values) log.masker.add(value);
    },
    env,
    ...(early ? { earlyLive: () => early.take(config.name) } : {}),
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
