/**
 * Reads one target's ChangeSet entries of a reconcile as alerting sees them: per item healthy,
 * failed (with a fingerprint), or drifted; or the whole target unknown because its source or the
 * target could not be reached. Pure: the masker and the commit are given.
 */
import type { ChangeSetEntry } from "../model/changeset.js";
import { sha256Hex } from "../util/hash.js";
import type { AlertEvent } from "./event.js";
import { failureFingerprint, stableCause } from "./fingerprint.js";
import { itemKey, type ItemObservation, type TargetObservation } from "./observation.js";

export interface ObserveInput {
  target: string;
  /** The run's entries (any target's: this target's are picked). */
  entries: readonly ChangeSetEntry[];
  commit?: AlertEvent["commit"];
  jobUrl?: string;
  /** Masks secret values: causes and drift details go into messages. */
  mask: (text: string) => string;
}

/** Entries about a whole target (or its source): its items could not be listed this run. */
const WHOLE_TARGET_KINDS: ReadonlySet<string> = new Set(["target", "source", "run"]);

export function observeTarget(input: ObserveInput): TargetObservation {
  const own = input.entries.filter((entry) => entry.target === input.target);
  const context = {
    target: input.target,
    ...(input.commit ? { commit: input.commit } : {}),
    ...(input.jobUrl ? { jobUrl: input.jobUrl } : {}),
  };
  const away = own.find((entry) => entry.unavailable);
  if (away?.unavailable) {
    return {
      ...context,
      unavailable: { kind: away.unavailable, cause: stableCause(input.mask(away.reason)) },
      items: [],
      complete: false,
    };
  }
  const byItem = new Map<string, ChangeSetEntry[]>();
  for (const entry of own) {
    const key = itemKey(entry);
    byItem.set(key, [...(byItem.get(key) ?? []), entry]);
  }
  const items = [...byItem.entries()].map(([key, entries]) => observeItem(key, entries, input));
  const wholeTargetFailed = own.some(
    (entry) => WHOLE_TARGET_KINDS.has(entry.kind) && entry.action === "failed",
  );
  return { ...context, items, complete: !wholeTargetFailed };
}

function observeItem(key: string, entries: ChangeSetEntry[], input: ObserveInput): ItemObservation {
  const first = entries[0] as ChangeSetEntry;
  const item = { kind: first.kind, name: first.name };
  const failure = entries.find((entry) => entry.action === "failed");
  if (failure) {
    const identity = sameFailureCause(stableCause(input.mask(failure.reason)));
    const fingerprint = failureFingerprint({
      target: input.target,
      kind: item.kind,
      name: item.name,
      causeClass: causeClass(identity),
      cause: identity,
      ...(input.commit ? { commit: input.commit.sha } : {}),
    });
    // The normalized wording is what people read: identical failures give identical messages.
    return { key, item, status: "failed", cause: identity, fingerprint };
  }
  const drift = entries.find((entry) => entry.drift);
  if (drift) {
    const details = (drift.details ?? []).map((line) => stableCause(input.mask(line)));
    return {
      key,
      item,
      status: "drifted",
      details,
      // --no-heal reports a drift it leaves alone as skipped; a healed one was redeployed.
      healed: drift.action === "configured" || drift.action === "created",
      fingerprint: sha256Hex(details.join("\n")).slice(0, 16),
    };
  }
  return { key, item, status: "healthy" };
}

/**
 * One unhealthy stack reads `rollout failed: X` on the run that deployed it and `matches git but is
 * unhealthy (not redeployed): X` on the runs after: the same failure, which must keep its
 * fingerprint (else the second run would alert "failure changed").
 */
const UNHEALTHY_WORDINGS = [/^rollout failed: /, /^matches git but is unhealthy \(not redeployed\): /];

function sameFailureCause(cause: string): string {
  const wording = UNHEALTHY_WORDINGS.find((pattern) => pattern.test(cause));
  return wording ? cause.replace(wording, "unhealthy: ") : cause;
}

/**
 * The stage's words before the first colon (`render failed`, `deploy failed`, `not pruned`): a
 * coarse class of cause. Long first parts are not a class but a message: `failed` then.
 */
function causeClass(reason: string): string {
  const head = reason.split(":", 1)[0]?.trim() ?? "";
  return head.length > 0 && head.length <= 32 ? head : "failed";
}
