/**
 * Every target type croncd knows, in one map: its croncd.yaml schema, its factory, and what the
 * pipeline and the CLI may ask of it. Adding a target is one folder under src/targets/ plus one
 * line in TARGET_TYPES.
 */
import * as z from "zod";
import type { ChangeSetEntry, ItemKind } from "../model/changeset.js";
import type { Suspension } from "../model/suspension.js";
import { isMapping } from "../util/is-mapping.js";
import { createHelmfileTarget, helmfileTargetSchema, pruneRelease } from "./helmfile/index.js";
import { setReleaseSuspension } from "./helmfile/suspend-release.js";
import { swarmTargetSchema } from "./swarm/config.js";
import { createSwarmTarget, readTargetLiveState } from "./swarm/index.js";
import { pruneOneStack } from "./swarm/prune-one.js";
import { setStackSuspension } from "./swarm/suspend-one.js";
import type { LiveItems, Target, TargetContext } from "./target.js";
import type { TargetLock } from "../lock/target-lock.js";
import { helmfileLock } from "./helmfile/lock.js";
import { swarmLock } from "./swarm/lock.js";
import type { AlertStateStore } from "../alerts/state.js";
import { createHelmfileAlertStateStore } from "./helmfile/alert-state.js";
import { createSwarmAlertStateStore } from "./swarm/alert-state.js";

/** `croncd prune --stack NAME` / `--release NAME [--namespace NS]`: one item, by name. */
export interface PruneOneRequest {
  name: string;
  /** Only for items that live in a namespace (releases). */
  namespace?: string;
  dryRun: boolean;
}

/**
 * `croncd suspend` / `croncd resume` of one item, by name: with a suspension, marks the item so
 * croncd leaves it alone; without, removes the mark.
 */
export interface SuspendOneRequest {
  name: string;
  /** Only for items that live in a namespace (releases). */
  namespace?: string;
  /** Who, when, why; undefined resumes the item. */
  suspension?: Suspension;
}

/** What a target type brings; `Config` is its entry of croncd.yaml's `targets`. */
export interface TargetType<Config extends { name: string; type: string }, Live = unknown> {
  schema: z.ZodType<Config>;
  /** What its items are called in reports and on the command line (`--stack`, `--release`). */
  itemKind: ItemKind;
  create: (context: TargetContext<Config, Live>) => Target;
  /**
   * Reads the live items a plan compares git with, before any checkout exists (a run starts it
   * while sources are cloned). Optional: a target without it reads when it plans.
   */
  readLiveState?: (config: Config, signal: AbortSignal) => Promise<LiveItems<Live>>;
  /**
   * Targets whose configs give the same key act on the same live system: once one of them changed
   * something, early reads of the others are stale, and a plan's deletions on one are seen by the next.
   */
  liveStateKey: (config: Config) => string;
  /** The manual prune trigger; refuses items the target does not own. */
  pruneOne?: (config: Config, request: PruneOneRequest) => Promise<ChangeSetEntry>;
  /** The manual suspend/resume; refuses items the target does not own, as pruneOne does. */
  suspendOne?: (config: Config, request: SuspendOneRequest) => Promise<ChangeSetEntry>;
  /**
   * The lock in the live system that a reconcile takes before its first change and a manual prune,
   * suspend or resume before changing anything (src/lock/). Without it, runs are kept apart only by the CI.
   */
  lock?: (config: Config, env: NodeJS.ProcessEnv) => TargetLock;
  /**
   * Where the target keeps what was last alerted per item (src/alerts/state.ts), in the live system
   * itself so any runner sees it. Without it, every failure is alerted on every run.
   */
  alertState?: (config: Config, env: NodeJS.ProcessEnv) => AlertStateStore;
}

/** Ties a type's parts to its config type (the registry below erases it). */
function targetType<Config extends { name: string; type: string }, Live>(
  definition: TargetType<Config, Live>,
): TargetType<Config, Live> {
  return definition;
}

export const TARGET_TYPES = {
  swarm: targetType({
    schema: swarmTargetSchema,
    itemKind: "stack",
    create: createSwarmTarget,
    readLiveState: (config, signal) => readTargetLiveState(config, undefined, signal),
    // Targets with the same docker settings talk to the same Swarm.
    liveStateKey: (config) => JSON.stringify([config.docker.host ?? "", config.docker.context ?? ""]),
    pruneOne: (config, request) => pruneOneStack(config, request),
    suspendOne: (config, request) => setStackSuspension(config, request),
    lock: (config) => swarmLock(config),
    alertState: (config) => createSwarmAlertStateStore(config),
  }),
  helmfile: targetType({
    schema: helmfileTargetSchema,
    itemKind: "release",
    create: createHelmfileTarget,
    // Targets that reach the cluster through the same CI variables act on the same releases.
    liveStateKey: (config) =>
      JSON.stringify(["kube", config.kube.kubeconfigEnv ?? "", config.kube.contextEnv ?? ""]),
    pruneOne: (config, request) => pruneRelease({ config, ...request }),
    suspendOne: (config, request) => setReleaseSuspension({ config, ...request }),
    lock: (config, env) => helmfileLock(config, env),
    alertState: (config, env) => createHelmfileAlertStateStore(config, env),
  }),
} as const;

type Registered = (typeof TARGET_TYPES)[keyof typeof TARGET_TYPES];
type ConfigOf<T> = T extends { schema: z.ZodType<infer Config> } ? Config : never;

/**
 * croncd.yaml's `targets` entries: each checked by the schema of its `type`. Not a zod
 * discriminated union: that reports only the bad `type` and hides every other mistake in the entry.
 * An entry without a known `type` is checked whole against the only type when one is registered,
 * and otherwise against every type, reporting the mistakes they all see.
 */
export const targetConfigSchema = z.unknown().transform((value, ctx): TargetConfig => {
  const schemas: Record<string, z.ZodType> = Object.fromEntries(
    Object.entries(TARGET_TYPES).map(([type, definition]) => [type, definition.schema]),
  );
  const type = isMapping(value) ? value.type : undefined;
  const only = Object.values(schemas).length === 1 ? Object.values(schemas)[0] : undefined;
  const schema = (typeof type === "string" ? schemas[type] : undefined) ?? only;
  if (!schema) {
    ctx.issues.push({
      code: "custom",
      path: ["type"],
      message: `must be one of ${Object.keys(schemas).join(", ")}`,
      input: value,
    });
    // Whatever type was meant, a mistake every type's schema reports is a mistake: say it too.
    const perType = Object.values(schemas).map((candidate) => candidate.safeParse(value).error?.issues ?? []);
    const same = (a: z.core.$ZodIssue, b: z.core.$ZodIssue) =>
      JSON.stringify([a.path, a.message]) === JSON.stringify([b.path, b.message]);
    const [first = [], ...others] = perType;
    for (const issue of first) {
      if (issue.path[0] === "type") continue;
      if (others.every((issues) => issues.some((other) => same(other, issue)))) {
        ctx.issues.push(issue as z.core.$ZodRawIssue);
      }
    }
    return z.NEVER;
  }
  const result = schema.safeParse(value);
  if (result.success) return result.data as TargetConfig;
  // As zod reported them (finished issues carry no input, like those of the rest of the file).
  for (const issue of result.error.issues) ctx.issues.push(issue as z.core.$ZodRawIssue);
  return z.NEVER;
});

export type TargetConfig = ConfigOf<Registered>;

/**
 * The types a run can use: TARGET_TYPES, plus any a test registers (an in-memory target that lets
 * the pipeline's unit tests run without Docker). Never grows in production code.
 */
const inUse = new Map<string, TargetType<TargetConfig>>(
  Object.entries(TARGET_TYPES).map(([type, definition]) => [
    type,
    definition as unknown as TargetType<TargetConfig>,
  ]),
);

/** For tests: makes a target type known to the pipeline (not to croncd.yaml's schema). */
export function registerTargetType<Config extends { name: string; type: string }, Live>(
  type: string,
  definition: TargetType<Config, Live>,
): void {
  inUse.set(type, definition as unknown as TargetType<TargetConfig>);
}

/** The registry entry of a configured target, typed for the pipeline (which needs no config fields). */
export function targetTypeOf(config: Pick<TargetConfig, "type">): TargetType<TargetConfig> {
  const definition = inUse.get(config.type);
  if (!definition) throw new Error(`no target type "${config.type}" is registered`);
  return definition;
}
