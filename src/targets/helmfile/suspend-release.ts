/**
 * `croncd suspend --release NAME` / `croncd resume --release NAME`: records (or clears) on the
 * release's entry in croncd's inventory who suspended it, when and why. Nothing in the cluster's
 * releases changes; the plan reads the record and leaves the release alone.
 */
import { describeError } from "../../errors.js";
import { changeEntry, type ChangeSetEntry } from "../../model/changeset.js";
import type { SuspendOneRequest } from "../registry.js";
import { suspensionOutcome } from "../suspension-outcome.js";
import { releaseKey, SUSPEND_LABEL, type InventoryEntry } from "./model.js";
import { findOwnedRelease, normalizedRequest, type ReleaseRequest } from "./owned-release.js";

export type SuspendReleaseRequest = ReleaseRequest & Pick<SuspendOneRequest, "suspension">;

export async function setReleaseSuspension(given: SuspendReleaseRequest): Promise<ChangeSetEntry> {
  const request = normalizedRequest(given);
  const { suspension } = request;
  const shown = request.namespace ? `${request.namespace}/${request.name}` : request.name;
  const make = (action: ChangeSetEntry["action"], reason: string, name = shown) =>
    changeEntry({ kind: "release", name, target: request.config.name }, action, reason, {
      ...(suspension && action !== "failed" ? { suspended: suspension } : {}),
    });
  try {
    const found = await findOwnedRelease(request, suspension ? "suspended" : "resumed");
    if ("refusal" in found) return make("failed", found.refusal);
    const { owned, key, inventory, store } = found;
    const outcome = suspensionOutcome(
      { commandLine: `--release ${key}`, gitSwitch: `the helmfile label ${SUSPEND_LABEL}` },
      suspension,
      owned.suspended,
    );
    if (outcome.action !== "skipped") {
      const changed: InventoryEntry = { ...owned };
      if (suspension) changed.suspended = suspension;
      else delete changed.suspended;
      await store.write(
        inventory.entries.map((entry) => (releaseKey(entry) === key ? changed : entry)),
        inventory,
      );
    }
    return make(outcome.action, outcome.reason, key);
  } catch (error) {
    return make("failed", describeError(error));
  }
}
