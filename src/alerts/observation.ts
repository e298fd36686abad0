/**
 * What one reconcile found about one target, item by item, in the terms alerting decides on:
 * healthy, failed (with a fingerprint), drifted, or the whole target unknown because its source or
 * the target itself could not be reached. Plain data, built from the run's ChangeSet entries.
 */
import type { AlertEvent } from "./event.js";
import type { ItemKey } from "./state.js";

export interface ObservedItem {
  key: ItemKey;
  item: { kind: string; name: string };
}

export type ItemObservation =
  | (ObservedItem & { status: "healthy" })
  | (ObservedItem & { status: "failed"; cause: string; fingerprint: string })
  | (ObservedItem & { status: "drifted"; details: string[]; healed: boolean; fingerprint: string });

export interface TargetObservation {
  target: string;
  /** The source or the target could not be reached: nothing is known about the items. */
  unavailable?: { kind: "source" | "target"; cause: string };
  items: ItemObservation[];
  /**
   * Every item of the target was seen (it rendered and planned): an item remembered as failed
   * that was not seen has left git. False when the target failed as a whole.
   */
  complete: boolean;
  commit?: AlertEvent["commit"];
  jobUrl?: string;
}

export const itemKey = (item: { kind: string; name: string }): ItemKey => `${item.kind}/${item.name}`;
