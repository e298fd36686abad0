/**
 * The guards between "croncd owns this item and git no longer declares it" and deleting it. Every
 * target's plan hands its owned, departed items here, so a release gets exactly the safety a stack
 * gets: prune off, an incomplete desired state, a per-item opt-out, an item that also holds things
 * croncd does not own, another source's item, an empty git (allowEmpty) and maxPrune.
 */
import type { ItemKind } from "../model/changeset.js";
import { describeSuspension, type Suspension } from "../model/suspension.js";
import type { PlannedItem } from "./target.js";

/** The settings of a target that shape pruning (every target type's config has them). */
export interface PruneSettings {
  name: string;
  prune: boolean;
  allowEmpty: boolean;
  maxPrune: number;
}

/** An item croncd deployed for this target that git no longer declares. */
export interface DepartedItem<Live> {
  name: string;
  live: Live;
  /** Set when it was deployed from another source under the same target name: never ours to delete. */
  otherSource?: string;
  /** The item asked to be kept (`x-croncd.prune: false` for a stack). */
  optedOut?: boolean;
  /** Why croncd does not own all of it (e.g. "it also holds services croncd does not own"). */
  partlyForeign?: string;
  /** Suspended (croncd suspend): never pruned, whatever else holds, until resumed. */
  suspended?: Suspension;
}

export interface PruneGuardInput<Live> {
  itemKind: ItemKind;
  target: PruneSettings;
  departed: readonly DepartedItem<Live>[];
  /** How many items git declares for this target (0 trips the allowEmpty guard). */
  desiredCount: number;
  /** Why the desired state is incomplete (a source or an item failed); nothing is pruned then. */
  incompleteBecause?: string;
  /** How an item opts out, for the reason shown: `x-croncd.prune: false`. */
  optOutSetting: string;
}

export type GuardedItem<Live> = Pick<PlannedItem, "name" | "action" | "reason" | "suspended"> & {
  live: Live;
};

/** Decides, for each departed item, delete / skip / refuse, with the reason a person reads. */
export function guardPrune<Live>(input: PruneGuardInput<Live>): GuardedItem<Live>[] {
  const { target, itemKind } = input;
  const departed = [...input.departed].sort((a, b) => a.name.localeCompare(b.name));
  const item = (
    departedItem: DepartedItem<Live>,
    action: PlannedItem["action"],
    reason: string,
  ): GuardedItem<Live> => ({ name: departedItem.name, action, reason, live: departedItem.live });

  const elsewhere = departed
    .filter((candidate) => candidate.otherSource !== undefined)
    .map((candidate) =>
      item(
        candidate,
        "skip",
        `not in git here; deployed by croncd target "${target.name}" from another source (${candidate.otherSource}), so left alone`,
      ),
    );
  // A suspended item is left alone before any other guard speaks, so the reminder names it.
  const suspended = departed.flatMap((candidate) =>
    candidate.otherSource === undefined && candidate.suspended
      ? [
          {
            ...item(candidate, "skip", `left git, but kept: ${describeSuspension(candidate.suspended)}`),
            suspended: candidate.suspended,
          },
        ]
      : [],
  );
  const leftAlone = [...elsewhere, ...suspended];
  const ours = departed.filter((candidate) => candidate.otherSource === undefined && !candidate.suspended);
  if (ours.length === 0) return leftAlone;

  if (!target.prune) {
    return [
      ...leftAlone,
      ...ours.map((candidate) =>
        item(candidate, "skip", "left git; pruning is off for this target (prune: true enables it)"),
      ),
    ];
  }
  if (input.incompleteBecause) {
    const reason = `left git, but not pruned: the desired state is incomplete (${input.incompleteBecause})`;
    return [...leftAlone, ...ours.map((candidate) => item(candidate, "refuse", reason))];
  }
  const optedOut = ours.filter((candidate) => candidate.optedOut);
  const partlyForeign = ours.filter((candidate) => !candidate.optedOut && candidate.partlyForeign);
  const candidates = ours.filter((candidate) => !candidate.optedOut && !candidate.partlyForeign);
  const plan = [
    ...leftAlone,
    ...optedOut.map((candidate) =>
      item(candidate, "skip", `left git; kept because it set ${input.optOutSetting}`),
    ),
    ...partlyForeign.map((candidate) =>
      item(
        candidate,
        "refuse",
        `left git, but not pruned: ${candidate.partlyForeign ?? ""}; remove it by hand`,
      ),
    ),
  ];
  if (candidates.length === 0) return plan;
  const refuseAll = (reason: string) => [
    ...plan,
    ...candidates.map((candidate) => item(candidate, "refuse", reason)),
  ];
  if (input.desiredCount === 0 && !target.allowEmpty) {
    return refuseAll(
      `not pruned: git declares no ${itemKind} at all for this target, which looks like a mistake; set allowEmpty: true to allow it`,
    );
  }
  if (candidates.length > target.maxPrune) {
    return refuseAll(
      `not pruned: ${candidates.length} ${itemKind}s left git, more than maxPrune (${target.maxPrune}); raise maxPrune for this run if intended`,
    );
  }
  return [...plan, ...candidates.map((candidate) => item(candidate, "delete", "left git"))];
}
