// The stand-in's state: every object it holds, keyed by type, namespace and name, with the bookkeeping
// the API server does on each write (uid, resourceVersion, creationTimestamp, generation) and its
// optimistic concurrency (a write carrying a stale resourceVersion is a 409 Conflict).
import { randomUUID } from "node:crypto";
import { isDeepStrictEqual } from "node:util";
import { parseLabelSelector } from "./label-selector.js";
import type { JsonObject } from "./patch.js";
import { apiVersionOf } from "./resources.js";
import type { ResourceType } from "./resources.js";
import { alreadyExists, conflict, invalid, notFound } from "./status.js";

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid: string;
  resourceVersion: string;
  creationTimestamp: string;
  generation?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  [field: string]: unknown;
}

/** An object as stored and served: apiVersion, kind, metadata and the kind's own fields. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

function keyOf(type: ResourceType, namespace: string | undefined, name: string): string {
  return `${apiVersionOf(type)}/${type.kind}/${type.namespaced ? (namespace ?? "") : ""}/${name}`;
}

function now(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, "Z");
}

/** What a write may require of the object it changes (a DELETE's `preconditions`, a PUT's metadata). */
export interface Preconditions {
  uid?: string;
  resourceVersion?: string;
}

/** The API server's 409 for a precondition the object no longer meets, in its words. */
function checkPreconditions(type: ResourceType, current: KubeObject, required: Preconditions): void {
  if (required.uid && required.uid !== current.metadata.uid) {
    throw conflict(
      type,
      current.metadata.name,
      `Precondition failed: UID in precondition: ${required.uid}, UID in object meta: ${current.metadata.uid}`,
    );
  }
  if (required.resourceVersion && required.resourceVersion !== current.metadata.resourceVersion) {
    throw conflict(
      type,
      current.metadata.name,
      `Precondition failed: ResourceVersion in precondition: ${required.resourceVersion}, ResourceVersion in meta: ${current.metadata.resourceVersion}`,
    );
  }
}

export class ObjectStore {
  private readonly objects = new Map<string, KubeObject>();
  private revision = 0;

  get(type: ResourceType, namespace: string | undefined, name: string): KubeObject {
    const found = this.objects.get(keyOf(type, namespace, name));
    if (!found) throw notFound(type, name);
    return structuredClone(found);
  }

  /** Objects of a type, in one namespace or (undefined) all, that match a label selector. */
  list(type: ResourceType, namespace: string | undefined, labelSelector = ""): KubeObject[] {
    const matches = parseLabelSelector(labelSelector);
    return [...this.objects.values()]
      .filter((o) => o.kind === type.kind && o.apiVersion === apiVersionOf(type))
      .filter((o) => !type.namespaced || namespace === undefined || o.metadata.namespace === namespace)
      .filter((o) => matches(o.metadata.labels ?? {}))
      .map((o) => structuredClone(o));
  }

  /** Everything held, for tests. */
  all(): KubeObject[] {
    return [...this.objects.values()].map((o) => structuredClone(o));
  }

  get resourceVersion(): string {
    return String(this.revision);
  }

  create(type: ResourceType, namespace: string | undefined, body: JsonObject): KubeObject {
    const metadata = (body.metadata ?? {}) as Partial<ObjectMeta> & { generateName?: string };
    const name =
      metadata.name ?? (metadata.generateName ? `${metadata.generateName}${randomUUID().slice(0, 5)}` : "");
    if (name === "") {
      throw invalid(type, "", "metadata.name: Required value: name or generateName is required");
    }
    const key = keyOf(type, namespace, name);
    if (this.objects.has(key)) throw alreadyExists(type, name);
    const object: KubeObject = {
      ...structuredClone(body),
      apiVersion: apiVersionOf(type),
      kind: type.kind,
      metadata: {
        ...structuredClone(metadata),
        name,
        ...(type.namespaced ? { namespace } : {}),
        uid: randomUUID(),
        resourceVersion: this.nextRevision(),
        creationTimestamp: now(),
        ...("spec" in body ? { generation: 1 } : {}),
      },
    };
    delete object.metadata.generateName;
    this.objects.set(key, object);
    return structuredClone(object);
  }

  /**
   * Replaces an object (PUT). Identity fields stay the server's; a body that names a resourceVersion
   * must name the current one, a body without one overwrites unconditionally, as the API allows.
   */
  update(type: ResourceType, namespace: string | undefined, name: string, body: JsonObject): KubeObject {
    const key = keyOf(type, namespace, name);
    const current = this.objects.get(key);
    if (!current) throw notFound(type, name);
    const metadata = (body.metadata ?? {}) as Partial<ObjectMeta>;
    if (metadata.name !== undefined && metadata.name !== name) {
      throw invalid(
        type,
        name,
        "metadata.name: Invalid value: the name of the object does not match the URL",
      );
    }
    if (metadata.resourceVersion && metadata.resourceVersion !== current.metadata.resourceVersion) {
      throw conflict(type, name);
    }
    // A body naming a uid is a precondition too: the object must be that one, not a recreated namesake.
    checkPreconditions(type, current, metadata.uid ? { uid: metadata.uid } : {});
    const specChanged = !isDeepStrictEqual(body.spec, current.spec);
    const generation = current.metadata.generation;
    const object: KubeObject = {
      ...structuredClone(body),
      apiVersion: current.apiVersion,
      kind: current.kind,
      metadata: {
        ...structuredClone(metadata),
        name,
        ...(type.namespaced ? { namespace } : {}),
        uid: current.metadata.uid,
        creationTimestamp: current.metadata.creationTimestamp,
        resourceVersion: this.nextRevision(),
        ...(generation === undefined ? {} : { generation: specChanged ? generation + 1 : generation }),
      },
    };
    this.objects.set(key, object);
    return structuredClone(object);
  }

  delete(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    preconditions: Preconditions = {},
  ): KubeObject {
    const key = keyOf(type, namespace, name);
    const current = this.objects.get(key);
    if (!current) throw notFound(type, name);
    checkPreconditions(type, current, preconditions);
    this.objects.delete(key);
    this.nextRevision();
    return structuredClone(current);
  }

  private nextRevision(): string {
    this.revision += 1;
    return String(this.revision);
  }
}
