// A Kubernetes API stand-in on 127.0.0.1 for tests that run the real helm (and kubectl): no
// kube-apiserver can be installed on these machines. See README.md beside this file for what it serves.
//
// A plain TCP listener sits in front of the HTTPS server so that a test can also make the API
// unreachable (connection refused) or silent (connections accepted, TLS never answered), the two ways a
// cluster is lost from a CI job.
import { writeFile } from "node:fs/promises";
import { createServer as createHttpsServer } from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer as createTcpServer } from "node:net";
import type { AddressInfo, Socket } from "node:net";
import { AccessControl } from "./access.js";
import type { Identity } from "./access.js";
import { afterWrite, handleApiRequest } from "./handler.js";
import type { HandlerState } from "./handler.js";
import { kubeconfigYaml } from "./kubeconfig.js";
import type { JsonObject } from "./patch.js";
import { RESOURCE_TYPES } from "./resources.js";
import { ApiError } from "./status.js";
import { ObjectStore } from "./store.js";
import type { KubeObject } from "./store.js";
import { makeServingCertificate } from "./tls.js";

/** up: serving; refusing: nothing listens on the port; silent: connections accepted, never answered. */
export type NetworkMode = "up" | "refusing" | "silent";

export interface KubeRequestRecord {
  method: string;
  path: string;
  query: string;
  contentType: string;
  /** The authenticated user; undefined when the token was missing or unknown. Tokens are never kept. */
  user?: string;
  verb?: string;
  status: number;
}

export interface ObjectFilter {
  kind?: string;
  namespace?: string;
  name?: string;
}

/**
 * Whether Deployments report ready replicas (what helm --wait waits for): for all, or decided per
 * Deployment, e.g. by its image, so that a rollback to the previous pod template becomes ready again.
 */
export type DeploymentReadiness = boolean | ((deployment: KubeObject) => boolean);

export interface KubeStandinOptions {
  /** Default true. */
  deploymentsReady?: DeploymentReadiness;
}

export interface KubeStandin {
  /** `https://127.0.0.1:<port>` */
  url: string;
  /** PEM a client must trust (the kubeconfig written by writeKubeconfig carries it). */
  caCertificate: string;
  /** Lets a bearer token in: a cluster admin (`namespaces: "*"`) or a tenant limited to some namespaces. */
  grant(token: string, identity: Identity): void;
  /** Writes a kubeconfig for a token and default namespace; returns its path. */
  writeKubeconfig(
    file: string,
    options: { token: string; namespace?: string; context?: string },
  ): Promise<string>;
  /** Copies of what the stand-in holds, optionally filtered. */
  objects(filter?: ObjectFilter): KubeObject[];
  /** A `kubectl edit` behind helm's back: changes a live object in place, as a person would. */
  edit(kind: string, namespace: string, name: string, change: (object: KubeObject) => void): KubeObject;
  /** Changes readiness, for existing Deployments too. */
  setDeploymentsReady(ready: DeploymentReadiness): void;
  setNetwork(mode: NetworkMode): Promise<void>;
  /** Every request answered so far, in order. */
  readonly requests: readonly KubeRequestRecord[];
  stop(): Promise<void>;
}

export async function startKubeStandin(options: KubeStandinOptions = {}): Promise<KubeStandin> {
  const certificate = await makeServingCertificate();
  const store = new ObjectStore();
  const access = new AccessControl();
  let readiness = options.deploymentsReady ?? true;
  const state: HandlerState = {
    store,
    access,
    deploymentReady: (deployment) => (typeof readiness === "boolean" ? readiness : readiness(deployment)),
  };
  const requests: KubeRequestRecord[] = [];

  const https = createHttpsServer({ cert: certificate.cert, key: certificate.key }, (req, res) => {
    // A bug in the stand-in is answered as the API server answers its own: a 500 Status that helm
    // prints, instead of an unhandled rejection that would take the test worker down.
    answer(req, res).catch((error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify(new ApiError(500, "InternalError", `kube stand-in: ${message}`).toStatus()));
    });
  });
  async function answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? "/", "https://127.0.0.1");
    const contentType = req.headers["content-type"] ?? "";
    const response = handleApiRequest(state, {
      method: req.method ?? "GET",
      url,
      authorization: req.headers.authorization,
      contentType,
      body: Buffer.concat(chunks),
    });
    requests.push({
      method: req.method ?? "GET",
      path: url.pathname,
      query: url.search.replace(/^\?/, ""),
      contentType,
      user: response.user,
      verb: response.verb,
      status: response.status,
    });
    res.writeHead(response.status, { "content-type": "application/json" });
    res.end(JSON.stringify(response.body));
  }

  const sockets = new Set<Socket>();
  let mode: NetworkMode = "up";
  const tcp = createTcpServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => socket.destroy());
    // Silent: the socket stays open and unread, so the client's TLS handshake never completes.
    if (mode === "up") https.emit("connection", socket);
  });
  await listen(0);
  const port = (tcp.address() as AddressInfo).port;
  const url = `https://127.0.0.1:${port}`;

  function listen(onPort: number): Promise<void> {
    return new Promise((resolve, reject) => {
      tcp.once("error", reject);
      tcp.listen(onPort, "127.0.0.1", () => {
        tcp.off("error", reject);
        resolve();
      });
    });
  }
  function dropConnections(): void {
    for (const socket of sockets) socket.destroy();
  }
  function typeOfKind(kind: string) {
    const type = RESOURCE_TYPES.find((t) => t.kind === kind);
    if (!type) throw new Error(`kube stand-in: kind ${kind} is not served`);
    return type;
  }

  return {
    url,
    caCertificate: certificate.cert,
    grant: (token, identity) => access.grant(token, identity),
    async writeKubeconfig(file, kubeconfig) {
      await writeFile(file, kubeconfigYaml({ server: url, caCertificate: certificate.cert, ...kubeconfig }), {
        mode: 0o600,
      });
      return file;
    },
    objects(filter = {}) {
      return store
        .all()
        .filter((o) => filter.kind === undefined || o.kind === filter.kind)
        .filter((o) => filter.namespace === undefined || o.metadata.namespace === filter.namespace)
        .filter((o) => filter.name === undefined || o.metadata.name === filter.name);
    },
    edit(kind, namespace, name, change) {
      const type = typeOfKind(kind);
      const object = store.get(type, namespace, name);
      change(object);
      return afterWrite(state, store.update(type, namespace, name, object as unknown as JsonObject));
    },
    setDeploymentsReady(ready) {
      readiness = ready;
      const deployments = typeOfKind("Deployment");
      for (const deployment of store.list(deployments, undefined)) afterWrite(state, deployment);
    },
    async setNetwork(next) {
      if (next === mode) return;
      if (mode === "refusing") await listen(port);
      if (next === "refusing") {
        await new Promise<void>((resolve) => {
          tcp.close(() => resolve());
          dropConnections();
        });
      }
      // Open connections belong to the old mode: a kept-alive one would let a client through a
      // "silent" server, a held one would stay silent after "up".
      dropConnections();
      mode = next;
    },
    requests,
    async stop() {
      dropConnections();
      if (mode !== "refusing") await new Promise<void>((resolve) => tcp.close(() => resolve()));
      mode = "refusing";
    },
  };
}
