/**
 * The Helmfile target's lock: a ConfigMap named `lock.name` (default `croncd-lock`) in the
 * inventory namespace, written with kubectl like the inventory. `kubectl create` is refused with
 * AlreadyExists when it exists, which makes taking the lock atomic; who holds it and until when
 * sit in its data (label values could not hold a URL).
 *
 * Every other write is conditional on what was read: renewals replace with the resourceVersion
 * (409 Conflict when another run changed it), a takeover deletes the expired ConfigMap only with
 * its uid and resourceVersion as preconditions, then creates a new one; a release deletes only our
 * own uid. Deletes with preconditions need a request body, which `kubectl delete --raw` sends.
 */
import { TargetError } from "../../errors.js";
import { parseRecordFields, recordFields, type LockRecord } from "../../lock/record.js";
import type { LockStore, StoredLock } from "../../lock/store.js";
import { INVENTORY_LABELS, lastLine } from "./inventory.js";
import type { ToolRunner } from "./tools.js";

/** This exact ConfigMap: its uid (one per holder) and resourceVersion (one per write). */
export interface KubeLockVersion {
  uid: string;
  resourceVersion: string;
}

export const LOCK_LABEL = "croncd.io/lock";

export interface KubeLockLocation {
  namespace: string;
  name: string;
  kubectlContextArgs: readonly string[];
  timeoutMs: number;
}

interface ConfigMapObject {
  metadata?: { name?: string; uid?: string; resourceVersion?: string; labels?: Record<string, string> };
  data?: Record<string, string>;
}

export function createKubeLockStore(
  runner: ToolRunner,
  location: KubeLockLocation,
): LockStore<KubeLockVersion> {
  const { namespace, name, timeoutMs } = location;
  const where = `ConfigMap ${namespace}/${name}`;
  const subject = `lock ${namespace}/${name}`;
  const rawPath = `/api/v1/namespaces/${encodeURIComponent(namespace)}/configmaps/${encodeURIComponent(name)}`;
  const kubectl = (args: string[], input?: string) =>
    runner.run("kubectl", [...location.kubectlContextArgs, "--namespace", namespace, ...args], {
      timeoutMs,
      label: `${args[0] ?? ""} lock`,
      ...(input !== undefined ? { input } : {}),
    });
  const failed = (verb: string, stderr: string) =>
    new TargetError(`could not ${verb} ${where}: ${lastLine(stderr)}`, {
      subject,
      hint: "the tenant's role needs get, create, update and delete on configmaps in this namespace (inventory.namespace in croncd.yaml)",
    });
  const object = (record: LockRecord, version?: KubeLockVersion) => ({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: {
      name,
      namespace,
      labels: { [INVENTORY_LABELS.managedBy]: "croncd", [LOCK_LABEL]: "true" },
      ...(version ? { uid: version.uid, resourceVersion: version.resourceVersion } : {}),
    },
    data: recordFields(record),
  });
  /** DELETE with preconditions: refused (409) when the ConfigMap is no longer that version. */
  const deleteBody = (preconditions: Partial<KubeLockVersion>) =>
    JSON.stringify({ kind: "DeleteOptions", apiVersion: "v1", preconditions });
  const deleteArgs = ["delete", "--raw", rawPath, "-f", "-"];

  const create = async (record: LockRecord): Promise<KubeLockVersion | undefined> => {
    const result = await kubectl(
      ["create", "--validate=false", "--output", "json", "-f", "-"],
      JSON.stringify(object(record)),
    );
    if (result.exitCode === 0) return versionOf(result.stdout, subject);
    if (/AlreadyExists|already exists/.test(result.stderr)) return undefined;
    throw failed("create", result.stderr);
  };

  /** Deletes only the version given; false when it was changed meanwhile (someone else's now). */
  const deleteVersion = async (preconditions: Partial<KubeLockVersion>): Promise<boolean> => {
    const result = await kubectl(deleteArgs, deleteBody(preconditions));
    if (result.exitCode === 0 || isNotFound(result.stderr)) return true;
    if (isConflict(result.stderr)) return false;
    throw failed("remove", result.stderr);
  };

  return {
    where,
    removeHint: `kubectl --namespace ${namespace} delete configmap ${name}`,
    create,
    async read(): Promise<StoredLock<KubeLockVersion> | undefined> {
      const result = await kubectl(["get", "configmap", name, "--output", "json"]);
      if (result.exitCode !== 0) {
        if (isNotFound(result.stderr)) return undefined;
        throw failed("read", result.stderr);
      }
      const found = parse(result.stdout, subject);
      const data = found.metadata?.labels?.[LOCK_LABEL] === "true" ? (found.data ?? {}) : {};
      return { record: parseRecordFields(data), version: versionOf(result.stdout, subject) };
    },
    async takeOver(stale, record) {
      return (await deleteVersion(stale)) ? create(record) : undefined;
    },
    async renew(version, record) {
      const result = await kubectl(
        ["replace", "--validate=false", "--output", "json", "-f", "-"],
        JSON.stringify(object(record, version)),
      );
      if (result.exitCode === 0) return versionOf(result.stdout, subject);
      if (isConflict(result.stderr) || isNotFound(result.stderr)) return undefined;
      throw failed("renew", result.stderr);
    },
    // By uid only: a renewal that got through just before still leaves the ConfigMap ours.
    async release(version) {
      await deleteVersion({ uid: version.uid });
    },
    releaseSync(version) {
      runner.runSync("kubectl", [...location.kubectlContextArgs, ...deleteArgs], {
        timeoutMs,
        input: deleteBody({ uid: version.uid }),
      });
    },
  };
}

function parse(stdout: string, subject: string): ConfigMapObject {
  try {
    return JSON.parse(stdout) as ConfigMapObject;
  } catch (error) {
    throw new TargetError("kubectl printed no JSON", { subject, cause: error });
  }
}

function versionOf(stdout: string, subject: string): KubeLockVersion {
  const { uid, resourceVersion } = parse(stdout, subject).metadata ?? {};
  if (!uid || !resourceVersion)
    throw new TargetError("kubectl printed no uid or resourceVersion", { subject });
  return { uid, resourceVersion };
}

const isNotFound = (stderr: string) => /\(NotFound\)|not found/i.test(stderr);
const isConflict = (stderr: string) => /\(Conflict\)|has been modified|Precondition failed/i.test(stderr);
