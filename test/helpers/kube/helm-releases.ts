// Reads helm's own release records out of the stand-in, the way helm's Secret storage driver writes
// them: one Secret `sh.helm.release.v1.<name>.v<revision>` of type helm.sh/release.v1 per revision,
// labelled owner=helm, name, status, version, createdAt/modifiedAt (plus `helm upgrade --labels`),
// whose data.release is base64(gzip(JSON)) — base64 once more in the API's JSON form (a ConfigMap of
// the same name and labels, without the second base64, with HELM_DRIVER=configmap). Tests use it to
// check what helm stored (release labels, revision, status) without trusting helm's own output.
import { gunzipSync } from "node:zlib";
import type { KubeObject } from "./store.js";

/** helm's own labels on a release record; every other label is a user's release label. */
const HELM_SYSTEM_LABELS = new Set(["owner", "name", "status", "version", "createdAt", "modifiedAt"]);

export interface StoredRelease {
  name: string;
  namespace: string;
  revision: number;
  status: string;
  /** Release labels (`helm upgrade --labels`), without helm's own. */
  labels: Record<string, string>;
  /** The chart name and version, e.g. `greeter-0.1.0`. */
  chart: string;
}

/** A Secret of helm's default storage driver, or a ConfigMap of HELM_DRIVER=configmap. */
export function isReleaseRecord(object: KubeObject): boolean {
  const labels = object.metadata.labels ?? {};
  if (object.kind === "Secret") return object.type === "helm.sh/release.v1";
  return (
    object.kind === "ConfigMap" &&
    labels.owner === "helm" &&
    object.metadata.name.startsWith("sh.helm.release.v1.")
  );
}

export function decodeReleaseRecord(record: KubeObject): StoredRelease {
  const data = (record.data ?? {}) as Record<string, string>;
  // A Secret's data is base64 in the API's JSON; a ConfigMap's holds helm's string as it is.
  const encoded =
    record.kind === "Secret"
      ? Buffer.from(data.release ?? "", "base64").toString("utf8")
      : (data.release ?? "");
  const release = JSON.parse(gunzipSync(Buffer.from(encoded, "base64")).toString("utf8")) as {
    name: string;
    namespace: string;
    version: number;
    info: { status: string };
    chart: { metadata: { name: string; version: string } };
  };
  const labels = Object.fromEntries(
    Object.entries(record.metadata.labels ?? {}).filter(([key]) => !HELM_SYSTEM_LABELS.has(key)),
  );
  return {
    name: release.name,
    namespace: release.namespace,
    revision: release.version,
    status: release.info.status,
    labels,
    chart: `${release.chart.metadata.name}-${release.chart.metadata.version}`,
  };
}

/** Every revision of every release the objects hold, oldest revision first per release. */
export function storedReleases(objects: readonly KubeObject[]): StoredRelease[] {
  return objects
    .filter(isReleaseRecord)
    .map(decodeReleaseRecord)
    .sort(
      (a, b) =>
        a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name) || a.revision - b.revision,
    );
}
