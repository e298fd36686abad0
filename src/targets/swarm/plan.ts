/**
 * Planning is a pure function of the desired stacks and the live ones: it pairs them by name and
 * decides, for each pair, create / update / unchanged / delete — or refuses, with a reason, when a
 * safety guard says no. A stack that matches git is also judged on its health (health.ts): it may
 * be unhealthy (a failure, not redeployed) or still converging (watched). No docker call happens
 * here.
 */
import type { SwarmTargetConfig } from "./config.js";
import { guardPrune, type DepartedItem } from "../prune-guards.js";
import type { PlannedItem } from "../target.js";
import { judgeStackHealth } from "./health.js";
import { describeSuspension, type Suspension } from "../../model/suspension.js";
import { isManaged, LABELS, readSuspension } from "./labels.js";
import { dependencyProblems } from "./dependencies.js";
import { diffStack, type FieldChange } from "./drift.js";
import type { DesiredStack, LiveService, LiveStack } from "./model.js";
import { compareTags } from "./moved-tags.js";
import type { TagLookup } from "../../registry/tag-digests.js";

export type StackPlanAction = PlannedItem["action"];

export interface StackPlanItem {
  name: string;
  action: StackPlanAction;
  reason: string;
  desired?: DesiredStack;
  live?: LiveStack;
  /** What differs between git and the live stack, field by field. */
  changes?: FieldChange[];
  /** The live stack was changed by hand while git stayed the same. */
  drift?: boolean;
  /** Set on a `skip` of a suspended stack. */
  suspended?: Suspension;
}

export interface PlanInput {
  target: Pick<SwarmTargetConfig, "name" | "prune" | "allowEmpty" | "maxPrune"> &
    Partial<Pick<SwarmTargetConfig, "followTags">>;
  /** The URL of the target's source: with the target name, what makes a live stack this run's own. */
  sourceUrl: string;
  desired: readonly DesiredStack[];
  /** Every stack git declares, including those that failed to render; none of them "left git". */
  declared?: readonly string[];
  live: ReadonlyMap<string, LiveStack>;
  /** Why the desired state is incomplete (a source or a stack failed); prune is off then. */
  incompleteBecause?: string;
  /**
   * What the registry said about the tags of stacks that follow them (x-croncd.followTags or the
   * target's followTags), by image reference as git names it; absent: no stack follows tags.
   */
  tagLookups?: ReadonlyMap<string, TagLookup>;
  /** How desired and live stacks are compared field by field (diffStack; tests script it). */
  diff?: (desired: DesiredStack, live: LiveStack) => FieldChange[];
}

export function planStacks(input: PlanInput): StackPlanItem[] {
  const dependencies = dependencyProblems(
    input.desired,
    input.declared ?? input.desired.map((stack) => stack.name),
  );
  const items = input.desired.map((desired): StackPlanItem => {
    const problem = dependencies.get(desired.name);
    if (problem) return { name: desired.name, action: "refuse", reason: problem, desired };
    const live = input.live.get(desired.name);
    const planned = planDesired(desired, live, {
      target: input.target.name,
      sourceUrl: input.sourceUrl,
      diff: input.diff ?? diffStack,
      tagLookups: followsTags(desired, input.target) ? (input.tagLookups ?? new Map()) : undefined,
    });
    return suspendedInstead(planned, desired, live);
  });
  return [...items, ...planPrune(input)];
}

/** Whether the stack's tags are followed: its own x-croncd.followTags, else the target's. */
export function followsTags(
  desired: DesiredStack,
  target: Partial<Pick<SwarmTargetConfig, "followTags">>,
): boolean {
  return desired.options.followTags ?? target.followTags ?? false;
}

interface PlanContext {
  target: string;
  sourceUrl: string;
  diff: (desired: DesiredStack, live: LiveStack) => FieldChange[];
  /** Set only for a stack that follows tags. */
  tagLookups: ReadonlyMap<string, TagLookup> | undefined;
}

function planDesired(
  desired: DesiredStack,
  live: LiveStack | undefined,
  context: PlanContext,
): StackPlanItem {
  const { target, sourceUrl, diff } = context;
  const base = { name: desired.name, desired, ...(live ? { live } : {}) };
  if (!live || live.services.length === 0) return { ...base, action: "create", reason: "new in git" };

  const foreign = live.services.filter((service) => !isManaged(service.labels));
  const otherTarget = live.services.find(
    (service) => isManaged(service.labels) && service.labels[LABELS.target] !== target,
  );
  if (otherTarget) {
    return {
      ...base,
      action: "refuse",
      reason: `the live stack belongs to croncd target "${otherTarget.labels[LABELS.target]}"; two targets cannot share a stack name on one Swarm`,
    };
  }
  const otherSource = live.services.find(
    (service) => isManaged(service.labels) && service.labels[LABELS.source] !== sourceUrl,
  );
  if (otherSource && !desired.options.adopt) {
    return {
      ...base,
      action: "refuse",
      reason: `the live stack was deployed by croncd from ${otherSource.labels[LABELS.source] ?? "another source"}, not from this target's source; if two configurations use the target name "${target}", rename one — if the repository moved, set x-croncd.adopt: true once`,
    };
  }
  if (foreign.length === live.services.length && !desired.options.adopt) {
    return {
      ...base,
      action: "refuse",
      reason:
        "a stack of this name exists but was not deployed by croncd; remove it or set x-croncd.adopt: true to take it over",
    };
  }

  const changes = diff(desired, live);
  // Only croncd's own services say what git looked like at the last deploy; one added by hand
  // carries no hash and is drift, not a change in git.
  const managed = live.services.filter((service) => isManaged(service.labels));
  const gitChanged =
    managed.length === 0 || managed.some((service) => service.labels[LABELS.desiredHash] !== desired.hash);
  if (gitChanged) {
    return { ...base, action: "update", reason: `desired state changed${rollbackNote(managed)}`, changes };
  }
  // Git is the same as at the last deploy; the registry may have moved a followed tag since.
  const tags = context.tagLookups ? compareTags(desired, live, context.tagLookups) : undefined;
  const imageUpdates = tags && tags.updated.length > 0 ? `image updated: ${tags.updated.join("; ")}` : "";
  if (changes.length === 0) {
    if (tags && tags.problems.length > 0) {
      // Not drift and not a change: croncd could not tell whether the tag moved, so it touches nothing.
      return {
        ...base,
        action: "refuse",
        reason: `image check failed, not redeployed: ${tags.problems.join("; ")}`,
      };
    }
    if (imageUpdates) return { ...base, action: "update", reason: imageUpdates, changes };
    return judgedUnchanged(base, live, target);
  }
  // Git is the same as at the last deploy, yet the live stack differs: someone changed it by hand.
  const fields = changes.length === 1 ? "1 field" : `${changes.length} fields`;
  return {
    ...base,
    action: "update",
    reason: `drifted from git: ${fields} changed by hand${imageUpdates ? `; ${imageUpdates}` : ""}`,
    changes,
    drift: true,
  };
}

/**
 * A suspended stack (by `croncd suspend`, or `x-croncd.suspend: true` in git) is left as it runs:
 * not created, updated, healed, or judged on its health. What croncd would have done is kept in
 * the reason and the differences, so a person sees the drift the suspension holds back. A refusal
 * still stands: a stack croncd does not own is not croncd's to call suspended.
 */
function suspendedInstead(
  planned: StackPlanItem,
  desired: DesiredStack,
  live: LiveStack | undefined,
): StackPlanItem {
  if (planned.action === "refuse") return planned;
  const suspension = stackSuspension(live) ?? gitSuspension(desired);
  if (!suspension) return planned;
  const held = planned.action === "unchanged" ? "it matches git" : `held back: ${planned.reason}`;
  return {
    name: planned.name,
    action: "skip",
    reason: `${describeSuspension(suspension)}; ${held}`,
    desired,
    ...(live ? { live } : {}),
    ...(planned.changes ? { changes: planned.changes } : {}),
    suspended: suspension,
  };
}

/** The suspension `croncd suspend` recorded on the live stack's services, if any. */
export function stackSuspension(live: LiveStack | undefined): Suspension | undefined {
  for (const service of live?.services ?? []) {
    const suspension = readSuspension(service.labels);
    if (suspension) return suspension;
  }
  return undefined;
}

function gitSuspension(desired: DesiredStack): Suspension | undefined {
  if (!desired.options.suspend) return undefined;
  return {
    by: `git (x-croncd.suspend in ${desired.composeFile})`,
    ...(desired.options.suspendReason ? { reason: desired.options.suspendReason } : {}),
  };
}

/**
 * Swarm puts the previous spec back on a rollback, labels included, so a stack whose last deploy
 * was rolled back looks like one git changed since: deployed again, it may be rolled back again.
 * The reason says so.
 */
function rollbackNote(services: readonly LiveService[]): string {
  const rolledBack = services.find((service) => service.runtime?.updateStatus?.State?.startsWith("rollback"));
  const status = rolledBack?.runtime?.updateStatus;
  if (!rolledBack || !status) return "";
  const message = status.Message ? `: ${status.Message}` : "";
  return ` (Swarm rolled back the last update of ${rolledBack.name}, ${status.State}${message})`;
}

/**
 * A stack git did not change: the desired-hash label says what was deployed, not whether it
 * worked. A rollout that failed, paused, rolled back or was cut off keeps the label of the commit
 * it tried, so every run judges what the stack's services and tasks show.
 */
function judgedUnchanged(
  base: Pick<StackPlanItem, "name" | "desired" | "live">,
  live: LiveStack,
  target: string,
): StackPlanItem {
  const stableForMs = (base.desired?.options.stableForSeconds ?? 0) * 1000;
  const health = judgeStackHealth(live, { target, stableForMs });
  if (health?.status === "failed") {
    return {
      ...base,
      action: "unhealthy",
      reason: `matches git but is unhealthy (not redeployed): ${health.reason}`,
    };
  }
  if (health?.status === "converging") {
    return {
      ...base,
      action: "converging",
      reason: `matches git; an earlier rollout is still converging: ${health.reason}`,
    };
  }
  return { ...base, action: "unchanged", reason: "matches git" };
}

/** Owned stacks git no longer declares, through the guards every target's prune shares. */
function planPrune(input: PlanInput): StackPlanItem[] {
  const desiredNames = new Set([...input.desired.map((stack) => stack.name), ...(input.declared ?? [])]);
  const departed = [...input.live.values()]
    .filter((stack) => !desiredNames.has(stack.name))
    .filter((stack) => stack.services.some((service) => ownedBy(service.labels, input.target.name)))
    .map((live): DepartedItem<LiveStack> => {
      // Same target name, another repository: another croncd configuration's stack.
      const fromElsewhere = live.services.some(
        (service) =>
          ownedBy(service.labels, input.target.name) && service.labels[LABELS.source] !== input.sourceUrl,
      );
      if (fromElsewhere) {
        return { name: live.name, live, otherSource: live.services[0]?.labels[LABELS.source] ?? "?" };
      }
      const suspension = stackSuspension(live);
      return {
        name: live.name,
        live,
        ...(suspension ? { suspended: suspension } : {}),
        optedOut: live.services.some((service) => service.labels[LABELS.prune] === "false"),
        ...(live.services.some((service) => !ownedBy(service.labels, input.target.name))
          ? { partlyForeign: "it also holds services croncd does not own" }
          : {}),
      };
    });
  return guardPrune<LiveStack>({
    itemKind: "stack",
    target: input.target,
    departed,
    desiredCount: input.desired.length,
    optOutSetting: "x-croncd.prune: false",
    ...(input.incompleteBecause ? { incompleteBecause: input.incompleteBecause } : {}),
  });
}

export function ownedBy(labels: Record<string, string>, target: string): boolean {
  return isManaged(labels) && labels[LABELS.target] === target;
}
