/**
 * The ownership rule of the manual verbs (prune, suspend, resume of one release): croncd acts only
 * on a release in this target's inventory. They read no git, so the record is the only proof.
 */
import type { HelmfileTools } from "./tools.js";
import { contextNamespace, createInventoryStore, type Inventory, type InventoryStore } from "./inventory.js";
import { resolveKubeAccess, type KubeAccess } from "./kube-access.js";
import { parseReleaseKey, releaseKey, type InventoryEntry } from "./model.js";
import type { HelmfileTargetConfig } from "./schema.js";
import { createToolRunner, DEFAULT_TOOLS, type ToolRunner } from "./tools.js";

export interface ReleaseRequest {
  config: HelmfileTargetConfig;
  /** The target's source URL; unset, a record of this target name is trusted whatever source wrote it. */
  sourceUrl?: string;
  name: string;
  namespace?: string;
  env?: NodeJS.ProcessEnv;
  tools?: Partial<HelmfileTools>;
}

export interface OwnedRelease {
  owned: InventoryEntry;
  /** `namespace/name`. */
  key: string;
  inventory: Inventory;
  store: InventoryStore;
  runner: ToolRunner;
  access: KubeAccess;
  timeoutMs: number;
}

/** `--release team-a/web` is `--release web --namespace team-a`, as reports name releases. */
export function normalizedRequest<Request extends ReleaseRequest>(given: Request): Request {
  return given.name.includes("/") && !given.namespace ? { ...given, ...parseReleaseKey(given.name) } : given;
}

/**
 * Reads the inventory and finds the release; `verb` says what croncd refuses to do to another's
 * release: "pruned", "suspended".
 */
export async function findOwnedRelease(
  request: ReleaseRequest,
  verb: string,
): Promise<OwnedRelease | { refusal: string }> {
  const { config } = request;
  const access = resolveKubeAccess(config, request.env ?? process.env);
  const runner = createToolRunner({ ...DEFAULT_TOOLS, ...request.tools }, access);
  const timeoutMs = config.commandTimeout * 1000;
  const namespace =
    config.inventory.namespace ?? (await contextNamespace(runner, access.kubectlContextArgs, timeoutMs));
  const store = createInventoryStore(
    runner,
    { namespace, target: config.name, ...(request.sourceUrl ? { sourceUrl: request.sourceUrl } : {}) },
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
    return {
      refusal: `not ${verb}: croncd target ${config.name} does not own this release (it is not in its inventory), so it is never touched`,
    };
  }
  if (matches.length > 1) {
    return {
      refusal: `not ${verb}: releases of this name are owned in ${matches.map((m) => m.namespace).join(", ")}; give --namespace`,
    };
  }
  const owned = matches[0] as InventoryEntry;
  return { owned, key: releaseKey(owned), inventory, store, runner, access, timeoutMs };
}
