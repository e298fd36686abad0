/**
 * Planning is a pure function of what git declares (helmfile list), what helmfile diff says per
 * release, and croncd's inventory: create / update / unchanged / delete per release, or a refusal
 * with its reason. No helmfile, helm or kubectl call happens here.
 */
import type { PlannedItem } from "../target.js";
import type { DiffOutcome } from "./diff-output.js";
import { releaseKey, type DesiredRelease, type InventoryEntry } from "./model.js";
import { decidePrune } from "./prune-guard.js";
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
  target: Pick<HelmfileTargetConfig, "prune" | "allowEmpty" | "maxPrune">;
  desired: readonly DesiredRelease[];
  /** Every release key git declares, rendered or not: none of them "left git". */
  declared: readonly string[];
  diff: DiffOutcome;
  inventory: { entries: readonly InventoryEntry[]; otherSource?: boolean };
  incompleteBecause?: string;
}

export function planReleases(input: ReleasePlanInput): ReleasePlanItem[] {
  const owned = new Map(
    input.inventory.otherSource ? [] : input.inventory.entries.map((e) => [releaseKey(e), e]),
  );
  const items = input.desired.map((desired) => planDesired(desired, owned.get(desired.key), input.diff));
  return [...items, ...planPrune(input, owned)];
}

function planDesired(
  desired: DesiredRelease,
  owned: InventoryEntry | undefined,
  diff: DiffOutcome,
): ReleasePlanItem {
  const base = {
    name: desired.key,
    key: desired.key,
    release: { name: desired.name, namespace: desired.namespace },
    desired,
    ...(owned ? { owned } : {}),
  };
  const result = diff.releases.get(desired.key);
  const details = result && result.lines.length > 0 ? { details: result.lines } : {};
  if (diff.unattributedError) return { ...base, action: "refuse", reason: diff.unattributedError };
  if (result?.error) return { ...base, ...details, action: "refuse", reason: `diff failed: ${result.error}` };
  if (!result?.changed) {
    return {
      ...base,
      ...details,
      action: "unchanged",
      reason: desired.installed ? "matches git" : "not installed, as git says",
    };
  }
  if (!desired.installed) return { ...base, ...details, action: "delete", reason: "installed: false in git" };
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

function planPrune(input: ReleasePlanInput, owned: ReadonlyMap<string, InventoryEntry>): ReleasePlanItem[] {
  const declared = new Set([...input.declared, ...input.desired.map((release) => release.key)]);
  if (input.inventory.otherSource) {
    return input.inventory.entries
      .filter((entry) => !declared.has(releaseKey(entry)))
      .map((entry) => ({
        ...itemFor(entry),
        action: "skip",
        reason: "not in git here; recorded by this target name from another source, so left alone",
      }));
  }
  const gone = [...owned.values()]
    .filter((entry) => !declared.has(releaseKey(entry)))
    .sort((a, b) => releaseKey(a).localeCompare(releaseKey(b)));
  return decidePrune({
    candidates: gone,
    declaredCount: declared.size,
    prune: input.target.prune,
    allowEmpty: input.target.allowEmpty,
    maxPrune: input.target.maxPrune,
    ...(input.incompleteBecause ? { incompleteBecause: input.incompleteBecause } : {}),
    optedOut: (entry) => entry.prune === false,
    optOutHow: 'the helmfile label croncd-prune: "false"',
    noun: "release",
  }).map((decision) => ({ ...itemFor(decision.item), action: decision.action, reason: decision.reason }));
}

function itemFor(entry: InventoryEntry): Omit<ReleasePlanItem, "action" | "reason"> {
  return {
    name: releaseKey(entry),
    key: releaseKey(entry),
    release: { name: entry.name, namespace: entry.namespace },
    owned: entry,
  };
}
