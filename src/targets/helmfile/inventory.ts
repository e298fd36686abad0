/**
 * croncd's record, in the cluster, of the releases it applied for one target: a ConfigMap written
 * with kubectl. It is what makes a release "owned" — the only releases croncd ever uninstalls —
 * and it survives between CI jobs, which keep no other state. See README.md for why a ConfigMap
 * rather than helm release labels.
 */
import { TargetError, TargetUnavailableError } from "../../errors.js";
import { sha256Hex } from "../../util/hash.js";
import type { InventoryEntry } from "./model.js";
import { clusterUnreachable, type ToolRunner } from "./tools.js";

export const INVENTORY_LABELS = {
  managedBy: "app.kubernetes.io/managed-by",
  target: "croncd.io/target",
  source: "croncd.io/source-hash",
} as const;

export interface InventoryLocation {
  namespace: string;
  target: string;
  /**
   * The target's source URL: a record written from another source is not this run's. Unset for
   * the manual prune, which reads no git: the record is then kept with the source it names.
   */
  sourceUrl?: string;
}

export interface Inventory {
  entries: InventoryEntry[];
  /** The ConfigMap's resourceVersion: a concurrent writer makes the next write fail, not overwrite. */
  resourceVersion?: string;
  /** The ConfigMap exists but was written for this target name from another repository. */
  otherSource?: boolean;
  /** The source-hash label as read, kept when a write knows no source URL. */
  sourceLabel?: string;
}

export interface InventoryStore {
  read(): Promise<Inventory>;
  write(entries: readonly InventoryEntry[], previous: Inventory): Promise<Inventory>;
}

/** Label values are at most 63 characters: the URL is kept as a short hash. */
export const sourceHash = (url: string): string => sha256Hex(url).slice(0, 16);

/** A ConfigMap name (DNS subdomain): target names may hold `_`, which Kubernetes refuses. */
export const inventoryName = (target: string): string => `croncd-inventory-${target.replaceAll("_", "-")}`;

export function createInventoryStore(
  runner: ToolRunner,
  location: InventoryLocation,
  kubectlContextArgs: readonly string[],
  timeoutMs: number,
): InventoryStore {
  const name = inventoryName(location.target);
  const subject = `target ${location.target}: inventory ConfigMap ${location.namespace}/${name}`;
  const kubectl = (args: string[], input?: string) =>
    runner.run("kubectl", [...kubectlContextArgs, "--namespace", location.namespace, ...args], {
      timeoutMs,
      label: `${args[0] ?? ""} configmap`,
      ...(input !== undefined ? { input } : {}),
    });
  return {
    async read() {
      const result = await kubectl(["get", "configmap", name, "--output", "json"]);
      if (result.exitCode !== 0) {
        if (/\(NotFound\)|not found/i.test(result.stderr)) return { entries: [] };
        // The first call of a plan: an unreachable API shows here, and makes the target unavailable.
        const Failure = clusterUnreachable(result) ? TargetUnavailableError : TargetError;
        throw new Failure(`read failed: ${lastLine(result.stderr)}`, { subject });
      }
      return parseInventory(result.stdout, location, subject);
    },
    async write(entries, previous) {
      const sorted = [...entries].sort((a, b) =>
        `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`),
      );
      const object = {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: {
          name,
          namespace: location.namespace,
          labels: {
            [INVENTORY_LABELS.managedBy]: "croncd",
            [INVENTORY_LABELS.target]: location.target,
            [INVENTORY_LABELS.source]: location.sourceUrl
              ? sourceHash(location.sourceUrl)
              : (previous.sourceLabel ?? ""),
          },
          ...(previous.resourceVersion ? { resourceVersion: previous.resourceVersion } : {}),
        },
        data: { releases: JSON.stringify(sorted, null, 2) },
      };
      // create or replace, not apply: no OpenAPI or server-side apply needed, and replace with the
      // resourceVersion read refuses to overwrite a record another run changed meanwhile.
      const verb = previous.resourceVersion ? "replace" : "create";
      const result = await kubectl(
        [verb, "--validate=false", "--output", "json", "-f", "-"],
        JSON.stringify(object),
      );
      if (result.exitCode !== 0) {
        throw new TargetError(`${verb} failed: ${lastLine(result.stderr)}`, {
          subject,
          hint: "the tenant's role needs get, create and update on configmaps in this namespace (inventory.namespace in croncd.yaml)",
        });
      }
      return parseInventory(result.stdout, location, subject);
    },
  };
}

function parseInventory(stdout: string, location: InventoryLocation, subject: string): Inventory {
  let object: {
    metadata?: { labels?: Record<string, string>; resourceVersion?: string };
    data?: Record<string, string>;
  };
  try {
    object = JSON.parse(stdout) as typeof object;
  } catch (error) {
    throw new TargetError("kubectl printed no JSON", { subject, cause: error });
  }
  const labels = object.metadata?.labels ?? {};
  const resourceVersion = object.metadata?.resourceVersion;
  const sourceLabel = labels[INVENTORY_LABELS.source];
  const base = {
    ...(resourceVersion ? { resourceVersion } : {}),
    ...(sourceLabel ? { sourceLabel } : {}),
  };
  if (
    labels[INVENTORY_LABELS.managedBy] !== "croncd" ||
    labels[INVENTORY_LABELS.target] !== location.target
  ) {
    throw new TargetError("exists but is not croncd's record for this target", {
      subject,
      hint: "remove or rename that ConfigMap, or set inventory.namespace",
    });
  }
  if (location.sourceUrl && sourceLabel !== sourceHash(location.sourceUrl)) {
    return { ...base, entries: readEntries(object.data?.releases, subject), otherSource: true };
  }
  return { ...base, entries: readEntries(object.data?.releases, subject) };
}

function readEntries(text: string | undefined, subject: string): InventoryEntry[] {
  if (!text) return [];
  try {
    const parsed = JSON.parse(text) as unknown;
    if (!Array.isArray(parsed)) throw new Error("not an array");
    return parsed.filter(
      (entry): entry is InventoryEntry =>
        typeof entry === "object" &&
        entry !== null &&
        typeof (entry as InventoryEntry).name === "string" &&
        typeof (entry as InventoryEntry).namespace === "string",
    );
  } catch (error) {
    // An unreadable record means ownership is unknown: fail, so nothing is pruned on a guess.
    throw new TargetError("holds no readable release list", { subject, cause: error });
  }
}

export function lastLine(text: string): string {
  return text.trim().split(/\r?\n/).at(-1) ?? "no message";
}

/** The namespace of the kubeconfig's current context, where the inventory lives by default. */
export async function contextNamespace(
  runner: ToolRunner,
  kubectlContextArgs: readonly string[],
  timeoutMs: number,
): Promise<string> {
  const result = await runner.run(
    "kubectl",
    [...kubectlContextArgs, "config", "view", "--minify", "--output", "jsonpath={..namespace}"],
    { timeoutMs, label: "config view" },
  );
  return (result.exitCode === 0 && result.stdout.trim().split(/\s+/)[0]) || "default";
}
