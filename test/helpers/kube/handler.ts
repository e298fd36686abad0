// One API request, from authentication to the JSON answer: discovery, then namespaced CRUD on the
// store with the API server's verbs, status codes and list kinds, then the control-plane follow-ups
// (defaults, Deployment controller, garbage collection).
import type { AccessControl, Identity } from "./access.js";
import { applyDefaults, collectOwned, reconcileDeployment } from "./controllers.js";
import { applyMergePatch, applyStrategicMergePatch, isObject } from "./patch.js";
import type { Json, JsonObject } from "./patch.js";
import { decodeProtobufObject } from "./protobuf.js";
import { apiVersionOf, discoveryDocument } from "./resources.js";
import { resolveRoute } from "./routes.js";
import type { ResourceRoute } from "./routes.js";
import { ApiError, badRequest, methodNotSupported, unsupported } from "./status.js";
import type { KubeObject, ObjectStore, Preconditions } from "./store.js";

export interface ApiRequest {
  method: string;
  url: URL;
  authorization: string | undefined;
  contentType: string;
  body: Buffer;
}

export interface ApiResponse {
  status: number;
  body: object;
  /** Who asked (for the request log); undefined when authentication failed. */
  user?: string;
  /** The RBAC verb, for resource requests. */
  verb?: string;
}

export interface HandlerState {
  store: ObjectStore;
  access: AccessControl;
  /** Whether a Deployment reports its replicas ready (helm --wait). */
  deploymentReady(deployment: KubeObject): boolean;
}

export function handleApiRequest(state: HandlerState, request: ApiRequest): ApiResponse {
  let identity: Identity | undefined;
  let verb: string | undefined;
  try {
    identity = state.access.authenticate(request.authorization);
    const discovery = discoveryDocument(request.url.pathname);
    if (discovery) return { status: 200, body: discovery, user: identity.user };
    const route = resolveRoute(request.url.pathname);
    verb = verbOf(request.method, route, request.url.searchParams);
    state.access.authorize(identity, verb, route.type, route.namespace, route.name);
    if (request.url.searchParams.has("dryRun")) {
      throw badRequest("the stand-in does not serve server-side dry runs");
    }
    const result = execute(state, verb, route, request);
    return { ...result, user: identity.user, verb };
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    return { status: error.code, body: error.toStatus(), user: identity?.user, verb };
  }
}

function verbOf(method: string, route: ResourceRoute, query: URLSearchParams): string {
  if (query.get("watch") === "true" || query.get("watch") === "1") {
    throw methodNotSupported("the stand-in does not serve watches");
  }
  const verbs: Record<string, string | undefined> =
    route.name === undefined
      ? { GET: "list", POST: "create" }
      : { GET: "get", PUT: "update", PATCH: "patch", DELETE: "delete" };
  const verb = verbs[method];
  if (verb === undefined) {
    throw methodNotSupported(
      `${method} is not served on ${route.type.plural}${route.name ? " by name" : ""}`,
    );
  }
  return verb;
}

/** The media type of a Content-Type header, without parameters. */
function mediaType(contentType: string): string {
  return contentType.split(";")[0]?.trim() ?? "";
}

function parseBody(request: ApiRequest): JsonObject {
  if (mediaType(request.contentType) === "application/vnd.kubernetes.protobuf") {
    return decodeProtobufObject(request.body) as JsonObject;
  }
  let parsed: Json;
  try {
    parsed = JSON.parse(request.body.toString("utf8")) as Json;
  } catch {
    throw badRequest(`the request body is not JSON (Content-Type ${request.contentType || "none"})`);
  }
  if (!isObject(parsed)) throw badRequest("the request body is not a JSON object");
  return parsed;
}

/** The body's own namespace, when it names one, must be the URL's (the API server's rule). */
function checkNamespace(route: ResourceRoute, body: JsonObject): void {
  const namespace = (body.metadata as JsonObject | undefined)?.namespace;
  if (
    route.type.namespaced &&
    typeof namespace === "string" &&
    namespace !== "" &&
    namespace !== route.namespace
  ) {
    throw badRequest("the namespace of the provided object does not match the namespace sent on the request");
  }
}

function execute(state: HandlerState, verb: string, route: ResourceRoute, request: ApiRequest): ApiResponse {
  const { store } = state;
  const { type, namespace, name } = route;
  switch (verb) {
    case "list":
      return {
        status: 200,
        body: {
          kind: `${type.kind}List`,
          apiVersion: apiVersionOf(type),
          metadata: { resourceVersion: store.resourceVersion },
          items: store.list(type, namespace, request.url.searchParams.get("labelSelector") ?? ""),
        },
      };
    case "get":
      return { status: 200, body: getOrImplicitNamespace(store, route) };
    case "create": {
      const body = parseBody(request);
      checkNamespace(route, body);
      applyDefaults(type, body, undefined);
      return { status: 201, body: afterWrite(state, store.create(type, namespace, body)) };
    }
    case "update": {
      const body = parseBody(request);
      checkNamespace(route, body);
      applyDefaults(type, body, store.get(type, namespace, name ?? ""));
      return { status: 200, body: afterWrite(state, store.update(type, namespace, name ?? "", body)) };
    }
    case "patch": {
      const current = store.get(type, namespace, name ?? "");
      const patched = patchObject(current, request);
      applyDefaults(type, patched, current);
      return { status: 200, body: afterWrite(state, store.update(type, namespace, name ?? "", patched)) };
    }
    case "delete": {
      const deleted = store.delete(type, namespace, name ?? "", deletePreconditions(request));
      collectOwned(store, deleted);
      return { status: 200, body: deleted };
    }
    default:
      throw methodNotSupported(`verb ${verb} is not served`);
  }
}

/**
 * DeleteOptions' `preconditions` (uid, resourceVersion), when the DELETE carries a JSON body. helm's
 * typed client sends its DeleteOptions as protobuf, without preconditions: such a body is not read.
 */
function deletePreconditions(request: ApiRequest): Preconditions {
  if (request.body.length === 0 || mediaType(request.contentType) === "application/vnd.kubernetes.protobuf") {
    return {};
  }
  const options = parseBody(request);
  const preconditions = isObject(options.preconditions) ? options.preconditions : {};
  const text = (value: Json | undefined) => (typeof value === "string" ? value : undefined);
  const uid = text(preconditions.uid);
  const resourceVersion = text(preconditions.resourceVersion);
  return { ...(uid ? { uid } : {}), ...(resourceVersion ? { resourceVersion } : {}) };
}

/**
 * Namespaces are implicit (objects may be created in any), so reading a Namespace nobody created
 * answers an active one, as it would be on a cluster where the namespace was set up for the tenant.
 */
function getOrImplicitNamespace(
  store: ObjectStore,
  { type, namespace, name = "" }: ResourceRoute,
): KubeObject {
  try {
    return store.get(type, namespace, name);
  } catch (error) {
    if (type.kind !== "Namespace" || !(error instanceof ApiError) || error.code !== 404) throw error;
    return {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: {
        name,
        uid: "",
        resourceVersion: store.resourceVersion,
        creationTimestamp: "1970-01-01T00:00:00Z",
      },
      status: { phase: "Active" },
    };
  }
}

const PATCHERS: Readonly<Record<string, (target: Json, patch: Json) => Json>> = {
  "application/merge-patch+json": applyMergePatch,
  "application/strategic-merge-patch+json": applyStrategicMergePatch,
};

function patchObject(current: KubeObject, request: ApiRequest): JsonObject {
  const type = mediaType(request.contentType);
  const applyPatch = PATCHERS[type];
  if (!applyPatch) {
    throw unsupported(
      `patch type ${type || "none"} is not served (server-side apply and JSON patch are not)`,
    );
  }
  let patch: Json;
  try {
    patch = JSON.parse(request.body.toString("utf8")) as Json;
  } catch {
    throw badRequest("the patch is not JSON");
  }
  const result = applyPatch(current as unknown as JsonObject, patch);
  if (!isObject(result)) throw badRequest("the patch does not leave an object");
  return result;
}

/** Runs the control-plane follow-ups of a write and returns the object as stored after them. */
export function afterWrite(state: HandlerState, written: KubeObject): KubeObject {
  if (written.kind !== "Deployment") return written;
  return reconcileDeployment(state.store, written, state.deploymentReady(written));
}
