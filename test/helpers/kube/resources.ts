// The resource types the stand-in serves, and the discovery documents that announce them. A client
// (helm, kubectl) maps a manifest's apiVersion/kind to a URL through discovery, so a kind missing here
// is one helm refuses with `no matches for kind`. The list is what a small chart uses, plus ReplicaSet
// (helm's --wait finds a Deployment's ReplicaSet) and Namespace (helm's --create-namespace).

export interface ResourceType {
  /** API group; "" is the core group served under /api/v1. */
  group: string;
  version: string;
  kind: string;
  /** URL segment, e.g. `deployments`. */
  plural: string;
  namespaced: boolean;
}

export const RESOURCE_TYPES: readonly ResourceType[] = [
  { group: "", version: "v1", kind: "ConfigMap", plural: "configmaps", namespaced: true },
  { group: "", version: "v1", kind: "Secret", plural: "secrets", namespaced: true },
  { group: "", version: "v1", kind: "Service", plural: "services", namespaced: true },
  { group: "", version: "v1", kind: "ServiceAccount", plural: "serviceaccounts", namespaced: true },
  { group: "", version: "v1", kind: "Namespace", plural: "namespaces", namespaced: false },
  { group: "apps", version: "v1", kind: "Deployment", plural: "deployments", namespaced: true },
  { group: "apps", version: "v1", kind: "ReplicaSet", plural: "replicasets", namespaced: true },
];

/** The Kubernetes version the stand-in claims to be (helm fills `.Capabilities.KubeVersion` from it). */
export const SERVED_VERSION = { major: "1", minor: "31", gitVersion: "v1.31.0", platform: "linux/amd64" };

/** `group/version`, or just `version` for the core group, as in an object's apiVersion. */
export function apiVersionOf(type: Pick<ResourceType, "group" | "version">): string {
  return type.group === "" ? type.version : `${type.group}/${type.version}`;
}

export function findResourceType(group: string, version: string, plural: string): ResourceType | undefined {
  return RESOURCE_TYPES.find((t) => t.group === group && t.version === version && t.plural === plural);
}

export function findResourceTypeByKind(apiVersion: string, kind: string): ResourceType | undefined {
  return RESOURCE_TYPES.find((t) => apiVersionOf(t) === apiVersion && t.kind === kind);
}

const VERBS = ["create", "delete", "get", "list", "patch", "update"];

function resourceList(groupVersion: string): object {
  const resources = RESOURCE_TYPES.filter((t) => apiVersionOf(t) === groupVersion).map((t) => ({
    name: t.plural,
    singularName: t.kind.toLowerCase(),
    namespaced: t.namespaced,
    kind: t.kind,
    verbs: VERBS,
  }));
  return { kind: "APIResourceList", apiVersion: "v1", groupVersion, resources };
}

/**
 * The discovery document for a path, or undefined if the path is not a discovery path. Served in the
 * legacy (unaggregated) form: a client that asks for aggregated discovery first accepts plain JSON too.
 */
export function discoveryDocument(path: string): object | undefined {
  if (path === "/version") return SERVED_VERSION;
  if (path === "/api") {
    return {
      kind: "APIVersions",
      versions: ["v1"],
      serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress: "127.0.0.1" }],
    };
  }
  const groups = [...new Set(RESOURCE_TYPES.filter((t) => t.group !== "").map((t) => t.group))];
  if (path === "/apis") {
    return {
      kind: "APIGroupList",
      apiVersion: "v1",
      groups: groups.map((name) => {
        const versions = [{ groupVersion: `${name}/v1`, version: "v1" }];
        return { name, versions, preferredVersion: versions[0] };
      }),
    };
  }
  if (path === "/api/v1") return resourceList("v1");
  const match = /^\/apis\/([^/]+)\/([^/]+)$/.exec(path);
  if (match && groups.includes(match[1] ?? "")) return resourceList(`${match[1]}/${match[2]}`);
  return undefined;
}
