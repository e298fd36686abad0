/**
 * How the failures of a target changed since the issue was last written, item by item: what the
 * comment on the issue says. Pure; the marker holds the previous failures.
 */
import { itemKey, type MarkedFailure } from "./marker.js";
import type { TargetFailure } from "./types.js";

export interface FailureChanges {
  /** Items that were not failing before. */
  started: TargetFailure[];
  /** Items still failing, with another cause or at another commit. */
  changed: TargetFailure[];
  /** Item keys (marker.ts's itemKey) no longer failing. */
  recovered: string[];
  /** Items failing exactly as before. */
  unchangedCount: number;
}

export function markedFailures(failures: readonly TargetFailure[]): MarkedFailure[] {
  return failures.map((failure) => ({ item: itemKey(failure.item), fingerprint: failure.fingerprint }));
}

export function diffFailures(
  before: readonly MarkedFailure[],
  now: readonly TargetFailure[],
): FailureChanges {
  const fingerprintsBefore = groupByItem(before);
  const fingerprintsNow = groupByItem(markedFailures(now));
  const changes: FailureChanges = { started: [], changed: [], recovered: [], unchangedCount: 0 };
  const seen = new Set<string>();
  for (const failure of now) {
    const key = itemKey(failure.item);
    const previous = fingerprintsBefore.get(key);
    if (!previous) changes.started.push(failure);
    else if (!sameSet(previous, fingerprintsNow.get(key) ?? new Set())) changes.changed.push(failure);
    else if (!seen.has(key)) changes.unchangedCount += 1;
    seen.add(key);
  }
  changes.recovered = [...fingerprintsBefore.keys()].filter((key) => !fingerprintsNow.has(key)).sort();
  return changes;
}

function groupByItem(failures: readonly MarkedFailure[]): Map<string, Set<string>> {
  const byItem = new Map<string, Set<string>>();
  for (const failure of failures) {
    const fingerprints = byItem.get(failure.item) ?? new Set<string>();
    fingerprints.add(failure.fingerprint);
    byItem.set(failure.item, fingerprints);
  }
  return byItem;
}

function sameSet(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  return a.size === b.size && [...a].every((value) => b.has(value));
}
