/**
 * Published ports Swarm refuses although docker's reader accepts them: two services of a stack
 * publishing the same port on the ingress network (the second create fails, after the first
 * service was made), and an ingress port on a service with `endpoint_mode: dnsrr` (which has no
 * virtual IP for the routing mesh to send to). Ports published in `mode: host` are the nodes' own
 * business and not checked here.
 */
import type { SchemaIssue } from "../../compose/schema.js";
import { isMapping } from "../../util/is-mapping.js";

interface IngressPort {
  /** `8080/tcp` */
  port: string;
  index: number;
}

export function publishedPortIssues(services: unknown): SchemaIssue[] {
  if (!isMapping(services)) return [];
  const issues: SchemaIssue[] = [];
  const firstUser = new Map<string, string>();
  for (const [name, service] of Object.entries(services)) {
    if (!isMapping(service)) continue;
    const ports = ingressPorts(service.ports);
    const dnsrr = isMapping(service.deploy) && service.deploy.endpoint_mode === "dnsrr";
    if (dnsrr && ports.length > 0) {
      issues.push({
        path: ["services", name, "ports", ports[0]?.index ?? 0],
        message:
          "Swarm refuses a port published on the ingress network for a service with endpoint_mode: dnsrr; " +
          "publish it with mode: host (long syntax), or use endpoint_mode: vip",
      });
    }
    for (const { port, index } of ports) {
      const owner = firstUser.get(port);
      if (owner === undefined) {
        firstUser.set(port, name);
      } else if (owner !== name) {
        issues.push({
          path: ["services", name, "ports", index],
          message: `port ${port} is already published by service ${owner}: Swarm refuses a second service on the same ingress port; publish another port`,
        });
      }
    }
  }
  return issues;
}

/** The published ports of a service's `ports:` that go through the ingress network. */
function ingressPorts(ports: unknown): IngressPort[] {
  if (!Array.isArray(ports)) return [];
  return ports.flatMap((entry: unknown, index): IngressPort[] => {
    if (isMapping(entry)) {
      const published = entry.published;
      if (entry.mode === "host" || (typeof published !== "number" && typeof published !== "string"))
        return [];
      const protocol = typeof entry.protocol === "string" ? entry.protocol : "tcp";
      return expand(String(published), protocol).map((port) => ({ port, index }));
    }
    if (typeof entry !== "string") return [];
    return shortSyntaxPublished(entry).map((port) => ({ port, index }));
  });
}

/** `[ip:]published:target[/protocol]` → the published ports, with their protocol. */
function shortSyntaxPublished(entry: string): string[] {
  const [mapping = "", protocol = "tcp"] = entry.split("/");
  // An IPv6 host address in brackets holds colons of its own.
  const withoutIp = mapping.startsWith("[") ? mapping.slice(mapping.indexOf("]") + 2) : mapping;
  const parts = withoutIp.split(":");
  if (parts.length < 2) return [];
  const published = parts[parts.length - 2] ?? "";
  return published === "" ? [] : expand(published, protocol);
}

/** `8000-8002` → three ports; a value that is not a port or a range is left to the format checks. */
function expand(published: string, protocol: string): string[] {
  const range = /^(\d+)(?:-(\d+))?$/.exec(published.trim());
  if (!range) return [];
  const first = Number(range[1]);
  const last = Number(range[2] ?? range[1]);
  if (last < first || last - first > 65535) return [];
  return Array.from({ length: last - first + 1 }, (_, offset) => `${first + offset}/${protocol}`);
}
