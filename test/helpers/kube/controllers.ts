// What a real cluster's control plane adds to objects after a write, reduced to what helm reads back:
// API defaults helm dereferences (a Deployment's replicas and strategy), a Secret's stringData folded
// into data (the API never returns stringData), a Service's cluster IP (helm's
// --wait treats a Service without one as not ready), and the Deployment controller's ReplicaSet and
// status (helm's --wait finds the Deployment's newest ReplicaSet by owner and pod template and compares
// its ready replicas). No pods run: "ready" is a switch the test sets.
import { createHash } from "node:crypto";
import type { JsonObject } from "./patch.js";
import { findResourceTypeByKind } from "./resources.js";
import type { ResourceType } from "./resources.js";
import type { KubeObject, ObjectStore } from "./store.js";

const DEPLOYMENT = findResourceTypeByKind("apps/v1", "Deployment") as ResourceType;
const REPLICA_SET = findResourceTypeByKind("apps/v1", "ReplicaSet") as ResourceType;

/** Fills API defaults into a body about to be stored; `current` is the stored object on an update. */
export function applyDefaults(type: ResourceType, body: JsonObject, current: KubeObject | undefined): void {
  const spec = (body.spec ?? {}) as JsonObject;
  if (type === DEPLOYMENT) {
    spec.replicas ??= 1;
    spec.strategy ??= { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "25%", maxSurge: "25%" } };
    body.spec = spec;
  }
  if (type.kind === "Secret") {
    const stringData = (body.stringData ?? {}) as Record<string, string>;
    const data = { ...((body.data ?? {}) as Record<string, string>) };
    for (const [key, value] of Object.entries(stringData)) data[key] = Buffer.from(value).toString("base64");
    body.data = data;
    delete body.stringData;
    body.type ??= "Opaque";
  }
  if (type.kind === "Service") {
    spec.type ??= "ClusterIP";
    // A cluster IP is immutable once assigned; a PUT that leaves it out keeps the assigned one.
    const assigned = (current?.spec as JsonObject | undefined)?.clusterIP;
    if (spec.type !== "ExternalName" && spec.clusterIP === undefined) {
      spec.clusterIP = assigned ?? clusterIpFor(body);
      spec.clusterIPs = [spec.clusterIP];
    }
    body.spec = spec;
  }
}

// Only ever data in the Service's spec: nothing connects to it. Derived from the name so reruns agree.
function clusterIpFor(body: JsonObject): string {
  const name = JSON.stringify((body.metadata as JsonObject | undefined)?.name ?? "");
  const digest = createHash("sha256").update(name).digest();
  return `10.96.${digest[0] ?? 0}.${((digest[1] ?? 0) % 254) + 1}`;
}

function ownedBy(owner: KubeObject) {
  return (object: KubeObject): boolean =>
    Array.isArray(object.metadata.ownerReferences) &&
    (object.metadata.ownerReferences as { uid?: string }[]).some((ref) => ref.uid === owner.metadata.uid);
}

/**
 * Plays the Deployment controller for one Deployment: one ReplicaSet for its current pod template
 * (older ones removed), and statuses that say ready or not as the switch says.
 */
export function reconcileDeployment(store: ObjectStore, deployment: KubeObject, ready: boolean): KubeObject {
  const namespace = deployment.metadata.namespace;
  const spec = deployment.spec as JsonObject;
  const replicas = typeof spec.replicas === "number" ? spec.replicas : 1;
  const readyReplicas = ready ? replicas : 0;
  const hash = createHash("sha256").update(JSON.stringify(spec.template)).digest("hex").slice(0, 10);
  const name = `${deployment.metadata.name}-${hash}`;

  for (const old of store.list(REPLICA_SET, namespace).filter(ownedBy(deployment))) {
    if (old.metadata.name !== name) store.delete(REPLICA_SET, namespace, old.metadata.name);
  }
  const replicaSetSpec = { replicas, selector: spec.selector ?? {}, template: spec.template ?? {} };
  const existing = store.list(REPLICA_SET, namespace).find((rs) => rs.metadata.name === name);
  const replicaSet = existing
    ? store.update(REPLICA_SET, namespace, name, {
        ...(existing as unknown as JsonObject),
        spec: replicaSetSpec,
      })
    : store.create(REPLICA_SET, namespace, {
        metadata: {
          name,
          labels:
            ((spec.template as JsonObject | undefined)?.metadata as JsonObject | undefined)?.labels ?? {},
          ownerReferences: [
            {
              apiVersion: "apps/v1",
              kind: "Deployment",
              name: deployment.metadata.name,
              uid: deployment.metadata.uid,
              controller: true,
              blockOwnerDeletion: true,
            },
          ],
        },
        spec: replicaSetSpec,
      });
  store.update(REPLICA_SET, namespace, name, {
    ...replicaSet,
    status: {
      replicas,
      readyReplicas,
      availableReplicas: readyReplicas,
      fullyLabeledReplicas: replicas,
      observedGeneration: replicaSet.metadata.generation ?? 1,
    },
  } as JsonObject);
  return store.update(DEPLOYMENT, namespace, deployment.metadata.name, {
    ...store.get(DEPLOYMENT, namespace, deployment.metadata.name),
    status: {
      observedGeneration: deployment.metadata.generation ?? 1,
      replicas,
      updatedReplicas: replicas,
      readyReplicas,
      availableReplicas: readyReplicas,
      unavailableReplicas: replicas - readyReplicas,
      conditions: [
        {
          type: "Available",
          status: ready ? "True" : "False",
          reason: ready ? "MinimumReplicasAvailable" : "MinimumReplicasUnavailable",
        },
      ],
    },
  } as JsonObject);
}

/** The garbage collector's part: a deleted Deployment's ReplicaSets go with it. */
export function collectOwned(store: ObjectStore, deleted: KubeObject): void {
  if (deleted.kind !== "Deployment") return;
  for (const replicaSet of store.list(REPLICA_SET, deleted.metadata.namespace).filter(ownedBy(deleted))) {
    store.delete(REPLICA_SET, replicaSet.metadata.namespace, replicaSet.metadata.name);
  }
}
