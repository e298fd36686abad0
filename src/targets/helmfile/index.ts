/**
 * The Helmfile target: the releases of a helmfile, for a tenant on a shared Kubernetes cluster.
 * See README.md beside this file for the inventory that makes a release croncd's own, and why.
 */
import { describeError, locationOf } from "../../errors.js";
import { changeEntry, type ChangeSetEntry, type SourceLocation } from "../../model/changeset.js";
import { plannedEntry } from "../planned-entry.js";
import type { RenderedItems, Target, TargetContext } from "../target.js";
import { applyReleases, type EntryMaker } from "./apply.js";
import type { DiffOutcome } from "./diff-output.js";
import { diffReleases } from "./diff-releases.js";
import type { HelmfileInvocation } from "./helmfile-cli.js";
import { renderReleases } from "./render.js";
import { writeRenderedRelease } from "./write-rendered.js";
import { contextNamespace, createInventoryStore, type Inventory, type InventoryStore } from "./inventory.js";
import { resolveKubeAccess, type KubeAccess } from "./kube-access.js";
import { locateHelmfile, type LocatedHelmfile } from "./locate.js";
import { parseReleaseKey, releaseKey, type DesiredRelease, type InventoryEntry } from "./model.js";
import type { Overlay } from "./overlay.js";
import { withHelmfile } from "./session.js";
import { planReleases, type ReleasePlanItem } from "./plan.js";
import type { HelmfileTargetConfig } from "./schema.js";
import { createToolRunner, DEFAULT_TOOLS, type HelmfileTools, type ToolRunner } from "./tools.js";
import { uninstallRelease } from "./uninstall.js";

export { helmfileTargetSchema, type HelmfileTargetConfig, HELMFILE_DEFAULTS } from "./schema.js";
export { pruneRelease, type PruneReleaseRequest } from "./prune-release.js";

export interface HelmfileTargetOptions extends TargetContext<HelmfileTargetConfig, never> {
  /** Paths of helmfile, helm and kubectl; by default found on PATH. */
  tools?: Partial<HelmfileTools>;
}

export interface HelmfilePlan {
  items: ReleasePlanItem[];
  /** The inventory as read for this plan; apply and prune write the next one from it. */
  inventory: Inventory;
}

export type HelmfileTarget = Target<DesiredRelease, HelmfilePlan>;

export function createHelmfileTarget(options: HelmfileTargetOptions): HelmfileTarget {
  const { config, checkout } = options;
  const env = options.env ?? process.env;
  const tools = { ...DEFAULT_TOOLS, ...options.tools };
  const timeoutMs = config.commandTimeout * 1000;
  const subject = { kind: "release", target: config.name } as const;
  const entry: EntryMaker = (name, fields) =>
    changeEntry({ ...subject, name }, fields.action, fields.reason, fields);
  /** A failure of the target as a whole (its inventory, its helmfile), not of one release. */
  const targetFailure = (reason: string, location?: SourceLocation): ChangeSetEntry =>
    changeEntry({ kind: "target", name: config.name, target: config.name }, "failed", reason, {
      ...(location ? { location } : {}),
    });
  let cluster: Cluster | undefined;
  let located: LocatedHelmfile | undefined;

  /** How to reach the cluster; a missing kube variable throws here, before any program runs. */
  const reach = (): Cluster => {
    if (cluster) return cluster;
    const access = resolveKubeAccess(config, env);
    cluster = { access, runner: createToolRunner(tools, access) };
    return cluster;
  };

  const session = <Result>(
    found: LocatedHelmfile,
    work: (call: HelmfileInvocation, overlay: Overlay) => Promise<Result>,
  ): Promise<Result> => {
    const { access, runner } = reach();
    const sessionOptions = { config, checkout: checkout.dir, located: found, access, runner, env };
    return withHelmfile({ ...sessionOptions, onSecrets: options.onSecrets }, work);
  };

  const inventoryStore = async (): Promise<InventoryStore> => {
    const ready = reach();
    if (ready.store) return ready.store;
    const namespace =
      config.inventory.namespace ??
      (await contextNamespace(ready.runner, ready.access.kubectlContextArgs, timeoutMs));
    ready.store = createInventoryStore(
      ready.runner,
      { namespace, target: config.name, sourceUrl: checkout.url },
      ready.access.kubectlContextArgs,
      timeoutMs,
    );
    return ready.store;
  };

  const writeInventory = async (plan: HelmfilePlan, entries: InventoryEntry[]): Promise<ChangeSetEntry[]> => {
    if (sameEntries(plan.inventory.entries, entries)) return [];
    try {
      plan.inventory = await (await inventoryStore()).write(entries, plan.inventory);
      return [];
    } catch (error) {
      return [targetFailure(describeError(error))];
    }
  };

  return {
    name: config.name,
    type: "helmfile",
    itemKind: "release",

    declaredIn: () => located?.relative ?? config.path,

    writeRendered: (item, dir, masker) =>
      located
        ? session(located, (call) => writeRenderedRelease(call, item, dir, masker))
        : Promise.reject(new Error(`release ${item.name}: nothing was rendered`)),

    async render(): Promise<RenderedItems<DesiredRelease>> {
      try {
        reach();
        const found = await locateHelmfile(checkout.dir, config.path);
        const result = await session(found, (call, overlay) =>
          renderReleases(call, {
            checkout: checkout.dir,
            located: found,
            overlay,
            environment: config.environment,
            failure: (key, reason, location) =>
              entry(key, { action: "failed", reason, ...(location ? { location } : {}) }),
            ...(config.policy ? { policy: config.policy } : {}),
          }),
        );
        located = found;
        return result;
      } catch (error) {
        // Without the release list nothing is known about what git declares: incomplete.
        return {
          items: [],
          declared: [],
          failures: [targetFailure(`render failed: ${describeError(error)}`, locationOf(error))],
        };
      }
    },

    async plan(desired, planOptions) {
      const inventory = await (await inventoryStore()).read();
      const diff: DiffOutcome =
        located && desired.items.length > 0
          ? await session(located, (call) =>
              diffReleases(call, desired.items, desired.declared.map(parseReleaseKey)),
            )
          : { releases: new Map() };
      const incompleteBecause =
        planOptions.incompleteBecause ??
        (diff.unattributedError ? `the diff of target ${config.name} failed` : undefined);
      return {
        inventory,
        items: planReleases({
          target: config,
          desired: desired.items,
          declared: desired.declared,
          diff,
          inventory,
          ...(incompleteBecause ? { incompleteBecause } : {}),
        }),
      };
    },

    async apply(plan, applyOptions) {
      const toApply = plan.items.filter((item) => item.desired);
      // Only a rendered helmfile yields items with a desired release to apply.
      if (!located) return toApply.map((item) => plannedEntry(subject, item));
      // A run where nothing differs decrypts nothing and starts no helmfile.
      const needed = toApply.some((item) => ["create", "update", "delete"].includes(item.action));
      const applied = needed
        ? await session(located, (call) => applyReleases(plan.items, call, entry, subject, applyOptions))
        : await applyReleases(plan.items, undefined, entry, subject, applyOptions);
      if (plan.inventory.otherSource) {
        // Applied releases cannot be recorded as this source's: they would never be pruned.
        const reason = `not recorded: the inventory of target ${config.name} was written by croncd from another source; two configurations use this target name — rename one`;
        return [...applied.entries, targetFailure(reason)];
      }
      const touched = new Set([...applied.own.map(releaseKey), ...applied.disown]);
      const next = [...plan.inventory.entries.filter((e) => !touched.has(releaseKey(e))), ...applied.own];
      return [...applied.entries, ...(await writeInventory(plan, next))];
    },

    async prune(plan) {
      const ready = reach();
      const entries: ChangeSetEntry[] = [];
      const uninstalled = new Set<string>();
      for (const item of plan.items.filter((planned) => !planned.desired)) {
        if (item.action !== "delete") {
          entries.push(plannedEntry(subject, item));
          continue;
        }
        const started = Date.now();
        const outcome = await uninstallRelease(
          ready.runner,
          item.release,
          ready.access.contextArgs,
          timeoutMs,
        );
        const durationMs = Date.now() - started;
        if (outcome.ok) uninstalled.add(item.key);
        entries.push(
          outcome.ok
            ? entry(item.name, {
                action: "deleted",
                reason: outcome.message ? `${item.reason} (${outcome.message})` : item.reason,
                durationMs,
              })
            : // Stays in the inventory: the next run tries again.
              entry(item.name, {
                action: "failed",
                reason: `uninstall failed: ${outcome.message}`,
                durationMs,
              }),
        );
      }
      if (uninstalled.size === 0) return entries;
      const next = plan.inventory.entries.filter((e) => !uninstalled.has(releaseKey(e)));
      return [...entries, ...(await writeInventory(plan, next))];
    },
  };
}

interface Cluster {
  access: KubeAccess;
  runner: ToolRunner;
  store?: InventoryStore;
}

function sameEntries(a: readonly InventoryEntry[], b: readonly InventoryEntry[]): boolean {
  const text = (entries: readonly InventoryEntry[]) =>
    JSON.stringify([...entries].map((e) => JSON.stringify(e)).sort());
  return text(a) === text(b);
}
