/**
 * `croncd prune --release NAME [--namespace NS] [--dry-run]` (or `--release NS/NAME`): uninstalls one release this target
 * owns (it is in the target's inventory), whatever git says. A release croncd does not own is
 * refused, never touched.
 */
import { describeError } from "../../errors.js";
import type { ChangeSetEntry } from "../../model/changeset.js";
import { describeSuspension } from "../../model/suspension.js";
import { releaseKey } from "./model.js";
import { findOwnedRelease, normalizedRequest, type ReleaseRequest } from "./owned-release.js";
import { uninstallRelease } from "./uninstall.js";

export interface PruneReleaseRequest extends ReleaseRequest {
  dryRun: boolean;
}

export async function pruneRelease(given: PruneReleaseRequest): Promise<ChangeSetEntry> {
  const request = normalizedRequest(given);
  const { config } = request;
  const shown = request.namespace ? `${request.namespace}/${request.name}` : request.name;
  const make = (action: ChangeSetEntry["action"], reason: string, name = shown): ChangeSetEntry => ({
    kind: "release",
    name,
    target: config.name,
    action,
    reason,
  });
  try {
    const found = await findOwnedRelease(request, "pruned");
    if ("refusal" in found) return make("failed", found.refusal);
    const { owned, key: name, inventory, store, runner, access, timeoutMs } = found;
    // A suspension protects the release from croncd, this verb included: resuming is a deliberate step.
    if (owned.suspended) {
      return make(
        "failed",
        `refused: the release is ${describeSuspension(owned.suspended)}; croncd resume --release ${name} first, then prune`,
        name,
      );
    }
    if (request.dryRun) return make("skipped", "dry run: would be uninstalled with helm uninstall", name);
    const outcome = await uninstallRelease(runner, owned, access.contextArgs, timeoutMs);
    if (!outcome.ok) return make("failed", `uninstall failed: ${outcome.message}`, name);
    await store.write(
      inventory.entries.filter((e) => releaseKey(e) !== name),
      inventory,
    );
    return make("deleted", outcome.message ? `pruned by hand (${outcome.message})` : "pruned by hand", name);
  } catch (error) {
    return make("failed", describeError(error));
  }
}
