/**
 * Applies the releases the plan found changed, one `helmfile apply` per release (so a failure is
 * that release's alone and its error is helm's own line), and says which inventory entries the
 * results make: applied releases become owned with their new hash; releases uninstalled because
 * git says `installed: false` stop being owned.
 */
import type { ChangeSetEntry, EntryExtras, ItemKind } from "../../model/changeset.js";
import { plannedEntry } from "../planned-entry.js";
import type { ApplyOptions } from "../target.js";
import { helmfileApplyOne, type HelmfileInvocation } from "./helmfile-cli.js";
import { PRUNE_LABEL, type InventoryEntry } from "./model.js";
import type { ReleasePlanItem } from "./plan.js";
import { HELMFILE_DEFAULTS } from "./schema.js";
import { helmErrorLine } from "./tools.js";

export type EntryMaker = (
  name: string,
  fields: Pick<ChangeSetEntry, "action" | "reason"> & EntryExtras,
) => ChangeSetEntry;

export interface AppliedReleases {
  entries: ChangeSetEntry[];
  /** Inventory entries to write (by `namespace/name`), and keys to drop. */
  own: InventoryEntry[];
  disown: string[];
}

export async function applyReleases(
  items: readonly ReleasePlanItem[],
  /** undefined when no item needs applying (a no-op run starts no helmfile). */
  call: HelmfileInvocation | undefined,
  entry: EntryMaker,
  subject: { kind: ItemKind; target: string },
  options: ApplyOptions,
): Promise<AppliedReleases> {
  const applied: AppliedReleases = { entries: [], own: [], disown: [] };
  for (const item of items) {
    const desired = item.desired;
    if (!desired) continue;
    const extra = {
      ...(item.drift ? { drift: true } : {}),
      ...(item.details ? { details: item.details } : {}),
    };
    const ownedNow = {
      name: desired.release.name,
      namespace: desired.release.namespace,
      chart: desired.release.chart,
      desiredHash: desired.hash,
      ...(desired.release.labels[PRUNE_LABEL] === "false" ? { prune: false as const } : {}),
    };
    if (item.action === "unchanged") {
      // Still owned; the hash follows git, so a later diff is drift only against this commit.
      if (item.owned) applied.own.push(ownedNow);
      applied.entries.push({ ...plannedEntry(subject, item), ...extra });
      continue;
    }
    if (item.action !== "create" && item.action !== "update" && item.action !== "delete") {
      applied.entries.push({ ...plannedEntry(subject, item), ...extra });
      continue;
    }
    if (item.drift && !options.heal) {
      applied.entries.push(
        entry(item.name, { ...extra, action: "skipped", reason: `${item.reason}; not healed (--no-heal)` }),
      );
      if (item.owned) applied.own.push(item.owned);
      continue;
    }
    const started = Date.now();
    if (!call) throw new Error(`release ${item.name}: apply needs a helmfile session`);
    const result = await helmfileApplyOne(call, item.release, HELMFILE_DEFAULTS.applyGrace);
    const durationMs = Date.now() - started;
    if (result.exitCode !== 0) {
      applied.entries.push(
        entry(item.name, {
          ...extra,
          action: "failed",
          reason: `apply failed: ${helmErrorLine(result)}`,
          durationMs,
        }),
      );
      // A failed upgrade of an owned release is still croncd's to prune later.
      if (item.owned) applied.own.push(item.owned);
      continue;
    }
    if (item.action === "delete") {
      applied.disown.push(item.key);
      applied.entries.push(
        entry(item.name, { ...extra, action: "deleted", reason: item.reason, durationMs }),
      );
      continue;
    }
    applied.own.push(ownedNow);
    const action = item.action === "create" ? "created" : "configured";
    applied.entries.push(entry(item.name, { ...extra, action, reason: item.reason, durationMs }));
  }
  return applied;
}
