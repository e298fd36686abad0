/**
 * The prune guards, as one decision over the releases that left git. Same rules and words as the
 * Swarm target's stacks (src/targets/swarm/plan.ts): prune off, incomplete desired state, opted
 * out, allowEmpty, maxPrune. Ownership is decided before this is called: only owned items arrive.
 * Kept as one call so it can be swapped for the shared guard module once the pipeline has one.
 */
export interface PruneGuardInput<Item> {
  /** Owned items that left git. */
  candidates: readonly Item[];
  /** Items git declares for this target (rendered or not). */
  declaredCount: number;
  prune: boolean;
  allowEmpty: boolean;
  maxPrune: number;
  incompleteBecause?: string;
  /** The item asked never to be pruned. */
  optedOut: (item: Item) => boolean;
  /** How an item opts out, for the message: `x-croncd.prune: false`. */
  optOutHow: string;
  /** `release`, `stack`: for the messages. */
  noun: string;
}

export interface PruneDecision<Item> {
  item: Item;
  action: "delete" | "skip" | "refuse";
  reason: string;
}

export function decidePrune<Item>(input: PruneGuardInput<Item>): PruneDecision<Item>[] {
  const all = (action: PruneDecision<Item>["action"], reason: string, items = input.candidates) =>
    items.map((item) => ({ item, action, reason }));
  if (!input.prune) return all("skip", "left git; pruning is off for this target (prune: true enables it)");
  if (input.incompleteBecause) {
    return all(
      "refuse",
      `left git, but not pruned: the desired state is incomplete (${input.incompleteBecause})`,
    );
  }
  const optedOut = input.candidates.filter(input.optedOut);
  const candidates = input.candidates.filter((item) => !optedOut.includes(item));
  const kept = all("skip", `left git; kept because it set ${input.optOutHow}`, optedOut);
  if (candidates.length === 0) return kept;
  if (input.declaredCount === 0 && !input.allowEmpty) {
    return [
      ...kept,
      ...all(
        "refuse",
        `not pruned: git declares no ${input.noun} at all for this target, which looks like a mistake; set allowEmpty: true to allow it`,
        candidates,
      ),
    ];
  }
  if (candidates.length > input.maxPrune) {
    return [
      ...kept,
      ...all(
        "refuse",
        `not pruned: ${candidates.length} ${input.noun}s left git, more than maxPrune (${input.maxPrune}); raise maxPrune for this run if intended`,
        candidates,
      ),
    ];
  }
  return [...kept, ...all("delete", "left git", candidates)];
}
