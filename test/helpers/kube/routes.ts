// Maps a request path to the resource it names, as the API server lays out its URLs:
// /api/v1/namespaces/{ns}/{plural}/{name} for the core group, /apis/{group}/{version}/… for others,
// and /…/{plural} without a namespace for cluster-scoped kinds and for lists across all namespaces.
import { findResourceType } from "./resources.js";
import type { ResourceType } from "./resources.js";
import { notServed } from "./status.js";

export interface ResourceRoute {
  type: ResourceType;
  /** undefined: cluster-scoped kind, or a list across all namespaces. */
  namespace: string | undefined;
  /** undefined: the collection (list, create). */
  name: string | undefined;
}

export function resolveRoute(pathname: string): ResourceRoute {
  const core = /^\/api\/(v1)\/(.+)$/.exec(pathname);
  const grouped = /^\/apis\/([^/]+)\/([^/]+)\/(.+)$/.exec(pathname);
  const [group, version, rest] = core ? ["", core[1], core[2]] : grouped ? grouped.slice(1) : [];
  const segments = (rest ?? "").split("/").map(decodeURIComponent);
  // `namespaces/x` is the Namespace object x; `namespaces/x/<plural>…` is inside namespace x.
  const namespaced = segments[0] === "namespaces" && segments.length >= 3;
  const [plural, name, subresource] = namespaced ? segments.slice(2) : segments;
  const type = findResourceType(group ?? "", version ?? "", plural ?? "");
  if (!type || subresource !== undefined || (namespaced && !type.namespaced)) throw notServed(pathname);
  return { type, namespace: namespaced ? segments[1] : undefined, name };
}
