/**
 * Stage 2, render: every target's desired state, before any target is planned. Pruning anywhere
 * needs to know that the desired state was read whole — every source pulled, every stack of every
 * target rendered — so this stage finishes for all targets first.
 */
import type { TargetConfig } from "../config/schema.js";
import { describeError, SourceUnavailableError } from "../errors.js";
import { changeEntry, type ChangeSetEntry, type EntryExtras } from "../model/changeset.js";
import type { Logger } from "../report/logger.js";
import { targetTypeOf } from "../targets/registry.js";
import type { LiveItems, RenderedItems, Target } from "../targets/target.js";
import type { DesiredItem } from "../targets/target.js";
import type { PulledSource } from "./pull.js";
import { submoduleProblem } from "./submodule-check.js";

export interface RenderedTarget {
  config: TargetConfig;
  /** Present when the target's source was pulled and its items could be listed. */
  target?: Target;
  rendered?: RenderedItems<DesiredItem>;
  /** Why nothing of this target can be planned (its source failed, its path is wrong...). */
  failure?: ChangeSetEntry;
}

/**
 * Every target's live state, read from the start of a plan or reconcile run: it needs no checkout,
 * so it runs while sources are cloned and items rendered (for target types that can: see
 * TargetType.readLiveState).
 *
 * Used only while nothing has changed the live systems: once a target deployed or pruned anything,
 * the next targets read again (a stack moved from one target to another must be seen gone). A read
 * that fails is reported by the target's plan; one never used is stopped by `dispose`.
 */
export class EarlyLiveStates {
  private readonly reads: Map<string, Promise<LiveItems<unknown>>>;
  private readonly endpoints: Map<string, string>;
  private readonly abandon = new AbortController();
  private stale = false;
  /** Per live system (TargetType.liveStateKey), items an earlier target's plan would delete. */
  private readonly plannedDeletions = new Map<string, Set<string>>();

  constructor(configs: readonly TargetConfig[]) {
    this.endpoints = new Map(configs.map((config) => [config.name, liveStateKey(config)]));
    this.reads = new Map(
      configs.flatMap((config) => {
        const read = targetTypeOf(config).readLiveState;
        if (!read) return [];
        const live = read(config, this.abandon.signal);
        live.catch(() => undefined);
        return [[config.name, live] as const];
      }),
    );
  }

  /**
   * The early read of a target, unless something changed a live system after it started; without
   * the items an earlier target's plan would delete from the same system, so a plan shows a stack
   * moving between targets as the reconcile will do it.
   */
  take(target: string): Promise<LiveItems<unknown>> | undefined {
    const read = this.stale ? undefined : this.reads.get(target);
    const deletions = this.plannedDeletions.get(this.endpoints.get(target) ?? "");
    if (!read || !deletions) return read;
    return read.then((live) => new Map([...live].filter(([item]) => !deletions.has(item))));
  }

  /** A plan run: `target` would delete these items before the targets after it run. */
  assumeDeleted(target: TargetConfig, items: readonly string[]): void {
    const key = liveStateKey(target);
    const deletions = this.plannedDeletions.get(key) ?? new Set<string>();
    for (const item of items) deletions.add(item);
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

/** Keyed by type too: a Swarm and a cluster never share live state, whatever their settings. */
function liveStateKey(config: TargetConfig): string {
  return `${config.type}:${targetTypeOf(config).liveStateKey(config)}`;
}

export async function renderTarget(
  config: TargetConfig,
  source: PulledSource,
  env: NodeJS.ProcessEnv,
  log: Logger,
  early?: EarlyLiveStates,
): Promise<RenderedTarget> {
  const failed = (reason: string, extras: EntryExtras = {}): RenderedTarget => ({
    config,
    failure: changeEntry(
      { kind: "target", name: config.name, target: config.name },
      "failed",
      reason,
      extras,
    ),
  });
  if (!source.dir || !source.commit) {
    const away = source.error instanceof SourceUnavailableError ? { unavailable: "source" as const } : {};
    return failed(`nothing done: ${describeError(source.error)}`, away);
  }
  const submodule = submoduleProblem(config.path, source.unfetchedSubmodules ?? [], source.name);
  if (submodule) return failed(submodule);
  const target = targetTypeOf(config).create({
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
    for (const item of rendered.items) {
      for (const warning of item.warnings)
        log.warn(`[${config.name}] ${target.itemKind} ${item.name}: ${warning}`);
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
      : (target.rendered?.failures ?? []).map((f) => `${f.kind} ${f.name}`),
  );
  if (broken.length > 0) return `${broken.join(", ")} failed to render`;
  return undefined;
}
