/**
 * Published ports must lie in the tenant's range: on the ingress network a port is opened on every
 * node of the Swarm, and in `mode: host` on the node the task runs on, so both count. Short
 * (`[ip:]published[-range]:target[/proto]`) and long syntax (`published: "8000-8010"`) are read
 * alike. A port given without a published side (`"80"`, `ip::80`, long syntax without
 * `published`) is published by Swarm on a port it picks from 30000-32767: allowed only when the
 * whole of that range lies in the tenant's.
 */
import type { SchemaIssue } from "../../../compose/schema.js";
import { isMapping } from "../../../util/is-mapping.js";
import type { Policy } from "../../policy-schema.js";
import { serviceEntries, violation } from "./violation.js";

/** The range Swarm picks published ports from when none is given (swarmkit's allocator). */
export const SWARM_DYNAMIC_PORTS = { from: 30000, to: 32767 } as const;

export interface PortRange {
  from: number;
  to: number;
}

export function publishedPortViolations(document: Record<string, unknown>, policy: Policy): SchemaIssue[] {
  const allowed = policy.publishedPorts;
  const issues: SchemaIssue[] = [];
  for (const [name, service] of serviceEntries(document)) {
    if (!Array.isArray(service.ports)) continue;
    service.ports.forEach((entry: unknown, index) => {
      const published = publishedRange(entry);
      const at = ["services", name, "ports", index];
      // Fails closed: a port croncd cannot read is not one it can vouch for.
      if (published === undefined) {
        issues.push(violation("publishedPorts", at, "cannot tell which port this publishes"));
        return;
      }
      if (allowed && published.from >= allowed.from && published.to <= allowed.to) return;
      const shown =
        published === SWARM_DYNAMIC_PORTS
          ? `a port Swarm picks from ${published.from}-${published.to} (no published port given)`
          : published.from === published.to
            ? `port ${published.from}`
            : `ports ${published.from}-${published.to}`;
      const range = allowed ? `allowed: ${allowed.from}-${allowed.to}` : "this target allows none";
      issues.push(violation("publishedPorts", at, `publishes ${shown} (${range})`));
    });
  }
  return issues;
}

/** The published ports of one `ports:` entry; undefined when it cannot be read (the schema says why). */
export function publishedRange(entry: unknown): PortRange | undefined {
  if (typeof entry === "number") return SWARM_DYNAMIC_PORTS;
  if (isMapping(entry)) {
    const published = entry.published;
    if (published === undefined || published === null || published === "") return SWARM_DYNAMIC_PORTS;
    return typeof published === "number" || typeof published === "string"
      ? parseRange(String(published))
      : undefined;
  }
  if (typeof entry !== "string") return undefined;
  const mapping = entry.split("/")[0] ?? "";
  // An IPv6 host address in brackets holds colons of its own.
  const withoutIp = mapping.startsWith("[")
    ? mapping.slice(mapping.indexOf("]") + 1).replace(/^:/, "")
    : mapping;
  const parts = withoutIp.split(":");
  if (parts.length === 1) return SWARM_DYNAMIC_PORTS;
  const published = parts[parts.length - 2] ?? "";
  return published === "" ? SWARM_DYNAMIC_PORTS : parseRange(published);
}

function parseRange(text: string): PortRange | undefined {
  const range = /^(\d+)(?:-(\d+))?$/.exec(text.trim());
  if (!range) return undefined;
  const from = Number(range[1]);
  const to = Number(range[2] ?? range[1]);
  return to < from ? undefined : { from, to };
}
