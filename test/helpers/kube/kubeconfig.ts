// A kubeconfig for the stand-in, in the form a CI job would receive one: one cluster (with the CA
// to trust), one user with a bearer token, one context with a default namespace.
import { stringify } from "yaml";

export interface KubeconfigOptions {
  server: string;
  /** PEM of the CA that signed the server's certificate. */
  caCertificate: string;
  token: string;
  /** The context's default namespace (helm's -n overrides it). */
  namespace?: string;
  /** Name of the context (kube-context). */
  context?: string;
}

export function kubeconfigYaml(options: KubeconfigOptions): string {
  const context = options.context ?? "standin";
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [
      {
        name: "standin",
        cluster: {
          server: options.server,
          "certificate-authority-data": Buffer.from(options.caCertificate).toString("base64"),
        },
      },
    ],
    users: [{ name: "standin-user", user: { token: options.token } }],
    contexts: [
      {
        name: context,
        context: {
          cluster: "standin",
          user: "standin-user",
          ...(options.namespace === undefined ? {} : { namespace: options.namespace }),
        },
      },
    ],
    "current-context": context,
  });
}
