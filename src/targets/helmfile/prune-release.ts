/**
 * `croncd prune --release NAME [--namespace NS] [--dry-run]` (or `--release NS/NAME`): uninstalls one release this target
 * owns (it is in the target's inventory), whatever git says. A release croncd does not own is
 * refused, never touched.
 */
import { describeError } from "../../errors.js";
import type { ChangeSetEntry } from "../../model/changeset.js";
import { contextNamespace, createInventoryStore } from "./inventory.js";
import { resolveKubeAccess } from "./kube-access.js";
import { parseReleaseKey, releaseKey } from "./model.js";
import type { HelmfileTargetConfig } from "./schema.js";
import { createToolRunner, DEFAULT_TOOLS, type HelmfileTools } from "./tools.js";
import { uninstallRelease } from "./uninstall.js";

export interface PruneReleaseRequest {
  config: HelmfileTargetConfig;
  /** The target's source URL; unset, a record of this target name is trusted whatever source wrote it. */
  sourceUrl?: string;
  name: string;
  namespace?: string;
  dryRun: boolean;
  env?: NodeJS.ProcessEnv;
  tools?: Partial<HelmfileTools>;
}

export async function pruneRelease(given: PruneReleaseRequest): Promise<ChangeSetEntry> {
  // `--release team-a/web` is `--release web --namespace team-a`, as reports name releases.
  const request =
    given.name.includes("/") && !given.namespace ? { ...given, ...parseReleaseKey(given.name) } : given;
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
    const access = resolveKubeAccess(config, request.env ?? process.env);
    const runner = createToolRunner({ ...DEFAULT_TOOLS, ...request.tools }, access);
    const timeoutMs = config.commandTimeout * 1000;
    const namespace =
      config.inventory.namespace ?? (await contextNamespace(runner, access.kubectlContextArgs, timeoutMs));
    const store = createInventoryStore(
      runner,
      {
        namespace,
        target: config.name,
        ...(request.sourceUrl ? { sourceUrl: request.sourceUrl } : {}),
      },
      access.kubectlContextArgs,
      timeoutMs,
    );
    const inventory = await store.read();
    const matches = inventory.otherSource
      ? []
      : inventory.entries.filter(
          (e) =>
            e.name === request.name && (request.namespace === undefined || e.namespace === request.namespace),
        );
    if (matches.length === 0) {
      return make(
        "failed",
        `not pruned: croncd target ${config.name} does not own this release (it is not in its inventory), so it is never touched`,
      );
    }
    if (matches.length > 1) {
      return make(
        "failed",
        `not pruned: releases of this name are owned in ${matches.map((m) => m.namespace).join(", ")}; give --namespace`,
      );
    }
    const owned = matches[0] as (typeof matches)[number];
    const name = releaseKey(owned);
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
