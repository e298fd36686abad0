/**
 * How a registry wants to be asked (Docker Registry HTTP API v2, token authentication spec): an
 * unauthenticated `GET /v2/` answers 200 (open), or 401 with `WWW-Authenticate: Basic realm=…` or
 * `Bearer realm="…",service="…"` — the realm of a Bearer challenge is where tokens are issued.
 */
export type Challenge =
  { scheme: "none" } | { scheme: "basic" } | { scheme: "bearer"; realm: string; service?: string };

/** Undefined when the header names no scheme croncd speaks. */
export function parseChallenge(header: string | null): Challenge | undefined {
  if (!header) return undefined;
  const match = /^\s*(\w+)\s*(.*)$/s.exec(header);
  const scheme = match?.[1]?.toLowerCase();
  if (scheme === "basic") return { scheme: "basic" };
  if (scheme !== "bearer") return undefined;
  const parameters = new Map<string, string>();
  for (const part of (match?.[2] ?? "").matchAll(/(\w+)="([^"]*)"/g)) {
    parameters.set((part[1] ?? "").toLowerCase(), part[2] ?? "");
  }
  const realm = parameters.get("realm");
  if (!realm) return undefined;
  const service = parameters.get("service");
  return service ? { scheme: "bearer", realm, service } : { scheme: "bearer", realm };
}

/** The registry's own words from an error body: `{"errors":[{"code":"UNAUTHORIZED","message":…}]}`. */
export function registryMessage(json: unknown, text: string, status: number): string {
  const body = json as { errors?: { code?: unknown; message?: unknown }[]; details?: unknown } | undefined;
  const errors = (body?.errors ?? [])
    .map((error) => [error.code, error.message].filter((part) => typeof part === "string").join(": "))
    .filter((line) => line !== "");
  if (errors.length > 0) return errors.join("; ");
  if (typeof body?.details === "string") return body.details;
  const plain = text.trim().slice(0, 200);
  return plain === "" ? `HTTP ${status}` : plain;
}
