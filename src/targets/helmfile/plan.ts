/**
 * Planning is a pure function of what git declares (helmfile list), what helmfile diff says per
 * release, and croncd's inventory: create / update / unchanged / delete per release, or a refusal
 * with its reason. No helmfile, helm or kubectl call happens here.
 */
import type { PlannedItem } from "../target.js";
import type { DiffOutcome } from "./diff-output.js";
import { describeSuspension, type Suspension } from "../../model/suspension.js";
import {
  releaseKey,
  SUSPEND_LABEL,
  SUSPEND_REASON_LABEL,
  type DesiredRelease,
  type InventoryEntry,
} from "./model.js";
import { guardPrune } from "../prune-guards.js";
import type { HelmfileTargetConfig } from "./schema.js";

export interface ReleasePlanItem extends PlannedItem {
  /** `namespace/name`. */
  key: string;
  release: { name: string; namespace: string };
  desired?: DesiredRelease;
  /** The inventory's entry: croncd applied this release for this target. */
  owned?: InventoryEntry;
  /** helm-diff's lines for this release. */
  details?: string[];
  /** The cluster differs from git while git did not change since croncd's last apply. */
  drift?: boolean;
}

export interface ReleasePlanInput {
  target: Pick<HelmfileTargetConfig, "name" | "prune" | "allowEmpty" | "maxPrune">;
  desired: readonly DesiredRelease[];
  /** Every release key git declares, rendered or not: none of them "left git". */
  declared: readonly string[];
  diff: DiffOutcome;
  inventory: { entries: readonly InventoryEntry[]; otherSource?: boolean; sourceLabel?: string };
  incompleteBecause?: string;
}

export function planReleases(input: ReleasePlanInput): ReleasePlanItem[] {
  const owned = new Map(
    input.inventory.otherSource ? [] : input.inventory.entries.map((e) => [releaseKey(e), e]),
  );
  const items = input.desired.map((desired) =>
    suspendedInstead(planDesired(desired, owned.get(desired.name), input.diff), desired),
  );
  return [...items, ...planPrune(input, owned)];
}

function planDesired(
  desired: DesiredRelease,
  owned: InventoryEntry | undefined,
  diff: DiffOutcome,
): ReleasePlanItem {
  const base = {
    name: desired.name,
    key: desired.name,
    release: { name: desired.release.name, namespace: desired.release.namespace },
    desired,
    ...(owned ? { owned } : {}),
  };
  const result = diff.releases.get(desired.name);
  const details = result && result.lines.length > 0 ? { details: result.lines } : {};
  if (diff.unattributedError) return { ...base, action: "refuse", reason: diff.unattributedError };
  if (result?.error) return { ...base, ...details, action: "refuse", reason: `diff failed: ${result.error}` };
  if (!result?.changed) {
    return {
      ...base,
      ...details,
      action: "unchanged",
      reason: desired.release.installed ? "matches git" : "not installed, as git says",
    };
  }
  if (!desired.release.installed)
    return { ...base, ...details, action: "delete", reason: "installed: false in git" };
  const onlyAdded = result.lines.every((line) => !/has (changed|been removed):$/.test(line.trim()));
  if (onlyAdded && !owned) return { ...base, ...details, action: "create", reason: "new in git" };
  if (owned && owned.desiredHash === desired.hash) {
    const objects = result.lines.filter((line) =>
      /has (changed|been added|been removed):$/.test(line.trim()),
    ).length;
    return {
      ...base,
      ...details,
      action: "update",
      reason: `drifted from git: ${objects === 1 ? "1 object" : `${objects} objects`} changed by hand`,
      drift: true,
    };
  }
  return { ...base, ...details, action: "update", reason: "desired state changed" };
}

/**
 * A suspended release (`croncd suspend --release`, or the helmfile label `croncd-suspend: "true"`)
 * is left as it runs: not installed, upgraded, healed or uninstalled. What croncd would have done
 * stays in the reason and helm-diff's lines. A refusal still stands (the diff could not say).
 */
function suspendedInstead(planned: ReleasePlanItem, desired: DesiredRelease): ReleasePlanItem {
  if (planned.action === "refuse") return planned;
  const suspension = planned.owned?.suspended ?? gitSuspension(desired);
  if (!suspension) return planned;
  const held = planned.action === "unchanged" ? planned.reason : `held back: ${planned.reason}`;
  // Not drift: the run must not raise the drift alarm for what a person chose to hold back.
  const skipped: ReleasePlanItem = {
    ...planned,
    action: "skip",
    reason: `${describeSuspension(suspension)}; ${held}`,
    suspended: suspension,
  };
  delete skipped.drift;
  return skipped;
}

function gitSuspension(desired: DesiredRelease): Suspension | undefined {
  const labels = desired.release.labels;
  if (labels[SUSPEND_LABEL] !== "true") return undefined;
  const reason = labels[SUSPEND_REASON_LABEL];
  return { by: `git (helmfile label ${SUSPEND_LABEL})`, ...(reason ? { reason } : {}) };
}

function planPrune(input: ReleasePlanInput, owned: ReadonlyMap<string, InventoryEntry>): ReleasePlanItem[] {
  const declared = new Set([...input.declared, ...input.desired.map((release) => release.name)]);
  // A record written for this target name from another repository: its releases are not ours.
  const otherSource = input.inventory.otherSource
    ? { otherSource: `source hash ${input.inventory.sourceLabel ?? "?"}` }
    : {};
  const entries = input.inventory.otherSource ? input.inventory.entries : [...owned.values()];
  const departed = entries
    .filter((entry) => !declared.has(releaseKey(entry)))
    .map((entry) => ({
      name: releaseKey(entry),
      live: entry,
      ...otherSource,
      ...(entry.prune === false ? { optedOut: true } : {}),
      ...(entry.suspended ? { suspended: entry.suspended } : {}),
    }));
  return guardPrune({
    itemKind: "release",
    target: input.target,
    departed,
    desiredCount: declared.size,
    ...(input.incompleteBecause ? { incompleteBecause: input.incompleteBecause } : {}),
    optOutSetting: 'the helmfile label croncd-prune: "false"',
  }).map((guarded) => ({
    ...itemFor(guarded.live),
    action: guarded.action,
    reason: guarded.reason,
    ...(guarded.suspended ? { suspended: guarded.suspended } : {}),
  }));
}

function itemFor(entry: InventoryEntry): Omit<ReleasePlanItem, "action" | "reason"> {
  return {
    name: releaseKey(entry),
    key: releaseKey(entry),
    release: { name: entry.name, namespace: entry.namespace },
    owned: entry,
  };
}
