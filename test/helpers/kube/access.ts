// The stand-in's RBAC, reduced to the two roles croncd's users hold: a cluster admin (every namespace,
// cluster-scoped kinds too) and a tenant whose role binding covers some namespaces. Anything else a
// tenant asks for is the 403 Forbidden a real API server sends, in its words, so helm prints what a
// tenant would see on a shared cluster.
import type { ResourceType } from "./resources.js";
import { forbidden, unauthorized } from "./status.js";

export interface Identity {
  /** The user name RBAC messages quote. */
  user: string;
  /** Namespaces the user may work in; "*" for a cluster admin. */
  namespaces: readonly string[] | "*";
}

export class AccessControl {
  private readonly identities = new Map<string, Identity>();

  grant(token: string, identity: Identity): void {
    this.identities.set(token, identity);
  }

  revoke(token: string): void {
    this.identities.delete(token);
  }

  /** The identity behind an Authorization header; 401 for no or an unknown bearer token. */
  authenticate(authorization: string | undefined): Identity {
    const token = /^Bearer\s+(.+)$/i.exec(authorization ?? "")?.[1];
    const identity = token === undefined ? undefined : this.identities.get(token);
    if (!identity) throw unauthorized();
    return identity;
  }

  /** Throws 403 unless the identity may do `verb` on the type in the namespace (undefined: cluster-wide). */
  authorize(
    identity: Identity,
    verb: string,
    type: ResourceType,
    namespace: string | undefined,
    name: string | undefined,
  ): void {
    if (identity.namespaces === "*") return;
    // RBAC files a request for the Namespace object N under namespace N, so a tenant's role (view,
    // edit, admin) lets it read its own namespace; helm does that while it waits for deletions.
    if (
      type.kind === "Namespace" &&
      verb === "get" &&
      name !== undefined &&
      identity.namespaces.includes(name)
    )
      return;
    const allowed = type.namespaced && namespace !== undefined && identity.namespaces.includes(namespace);
    if (!allowed) throw forbidden(identity.user, verb, type, namespace, name);
  }
}
