/**
 * The small conversions `docker stack deploy` applies to single compose values on their way into a
 * Swarm service spec, re-stated so drift detection can normalise git's side the same way. Each
 * function names the docker/cli (or library) behaviour it follows; none of them calls docker.
 */
import { splitDockerDomain } from "../../registry/image-location.js";
import { ShellWordsError, splitShellWords as splitCommandLine } from "../../util/shell-words.js";

/**
 * A compose `command:`/`entrypoint:` string split into words as docker/cli does. Where docker
 * would fail (an unclosed quote, a trailing `\`), `undefined`: that file cannot be deployed, so
 * there is nothing to normalise.
 */
export function splitShellWords(text: string): string[] | undefined {
  try {
    return splitCommandLine(text);
  } catch (error) {
    if (error instanceof ShellWordsError) return undefined;
    throw error;
  }
}

/** Shell-quoted words, for showing a command to a person: `sh -c 'echo hi'`. */
export function joinShellWords(words: readonly string[]): string {
  return words
    .map((word) => (/^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`))
    .join(" ");
}

export interface ImageReference {
  /** Familiar name with its tag: `nginx:1.27`, `registry.example.com:5000/team/app:latest`. */
  name: string;
  /** `sha256:…`, when the reference is pinned. */
  digest?: string;
}

/**
 * An image reference the way the docker client stores it in a service: `ServiceCreate` and
 * `ServiceUpdate` rewrite the image with `reference.FamiliarString(reference.TagNameOnly(…))`
 * (moby client `imageWithTagString`), so `docker.io/library/nginx` becomes `nginx:latest`; with
 * `--resolve-image always|changed` the digest is appended (`imageWithDigestString`). A reference
 * the client cannot parse is kept as it is, as the client keeps it.
 */
export function normaliseImage(reference: string): ImageReference {
  if (reference === "") return { name: "" };
  const at = reference.indexOf("@");
  const digest = at === -1 ? undefined : reference.slice(at + 1);
  let rest = at === -1 ? reference : reference.slice(0, at);
  let tag: string | undefined;
  const colon = rest.lastIndexOf(":");
  if (colon > rest.lastIndexOf("/")) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  const { domain, path } = splitDockerDomain(rest);
  if (path === "" || path !== path.toLowerCase()) {
    return digest === undefined ? { name: reference } : { name: reference.slice(0, at), digest };
  }
  let familiar = path;
  if (domain === "docker.io") {
    const short = path.slice("library/".length);
    if (path.startsWith("library/") && !short.includes("/")) familiar = short;
  } else {
    familiar = `${domain}/${path}`;
  }
  const name =
    tag !== undefined ? `${familiar}:${tag}` : digest === undefined ? `${familiar}:latest` : familiar;
  return digest === undefined ? { name } : { name, digest };
}

/**
 * `deploy.resources.*.memory` in bytes, as docker/cli's loader reads it (`transformSize`, go-units
 * `RAMInBytes`): a plain number is bytes; a suffix k, m, g, t or p (any case, optionally followed
 * by `b` or `ib`) multiplies by a power of 1024; a fraction is truncated. `undefined` when docker
 * would reject it.
 */
export function parseMemoryBytes(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) && value >= 0 ? Math.trunc(value) : undefined;
  if (typeof value !== "string") return undefined;
  const match = /^([0-9.]+) ?([a-zA-Z]*)$/.exec(value);
  if (!match) return undefined;
  const size = Number(match[1]);
  const suffix = (match[2] ?? "").toLowerCase();
  if (!Number.isFinite(size)) return undefined;
  if (suffix === "" || suffix === "b") return Math.trunc(size);
  const power = "kmgtp".indexOf(suffix[0] ?? "");
  if (power === -1 || !["", "b", "ib"].includes(suffix.slice(1))) return undefined;
  return Math.trunc(size * 1024 ** (power + 1));
}

/**
 * `deploy.resources.*.cpus` in nano-CPUs, as docker/cli's `opts.ParseCPUs` reads it: a decimal
 * number of CPUs times 10⁹. `undefined` when it is no number.
 */
export function parseNanoCpus(value: unknown): number | undefined {
  const text = typeof value === "number" ? String(value) : typeof value === "string" ? value.trim() : "";
  if (!/^[+]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text)) return undefined;
  return Math.round(Number(text) * 1e9);
}

/** Bytes for a person: `64MiB`, `1.5GiB` when exact enough, else the number of bytes. */
export function formatBytes(bytes: number): string {
  for (const [unit, size] of [
    ["GiB", 1024 ** 3],
    ["MiB", 1024 ** 2],
    ["KiB", 1024],
  ] as const) {
    if (bytes >= size && Number.isInteger((bytes / size) * 100)) return `${bytes / size}${unit}`;
  }
  return `${bytes} bytes`;
}

/** Nano-CPUs for a person: `0.25` (CPUs). */
export function formatNanoCpus(nano: number): string {
  return String(nano / 1e9);
}

/** One published port, as Swarm's `EndpointSpec.Ports` holds it. */
export interface PortSpec {
  protocol: string;
  target: number;
  /** 0: Swarm picks a port. */
  published: number;
  mode: string;
}

/**
 * Compose `ports:` entries the way docker/cli's loader turns them into Swarm port configs.
 * Short syntax (`transformServicePort` → `nat.ParsePortSpec` → `swarmopts.ConvertPortToPortConfig`):
 * `[ip:][published:]target[/proto]`, ranges pair one to one, a published range for a single
 * target becomes one port config per published port, the IP is ignored, the mode is ingress.
 * Long syntax goes over as written; Swarm fills in tcp and ingress where it says nothing. An entry
 * docker would reject is returned as written in `invalid`.
 */
export function parsePorts(entries: unknown): { ports: PortSpec[]; invalid: string[] } {
  const ports: PortSpec[] = [];
  const invalid: string[] = [];
  for (const entry of Array.isArray(entries) ? (entries as unknown[]) : []) {
    if (typeof entry === "number" || typeof entry === "string") {
      const parsed = parseShortPort(String(entry));
      if (parsed) ports.push(...parsed);
      else invalid.push(String(entry));
    } else if (entry && typeof entry === "object") {
      const long = entry as Record<string, unknown>;
      const target = portNumber(long.target);
      const published =
        long.published === undefined || long.published === null ? 0 : portNumber(long.published);
      if (target === undefined || published === undefined) invalid.push(JSON.stringify(entry));
      else {
        ports.push({
          protocol: typeof long.protocol === "string" && long.protocol ? long.protocol.toLowerCase() : "tcp",
          target,
          published,
          mode: typeof long.mode === "string" && long.mode ? long.mode : "ingress",
        });
      }
    }
  }
  return { ports, invalid };
}

function parseShortPort(text: string): PortSpec[] | undefined {
  const parts = text.split(":");
  const containerPart = parts[parts.length - 1] ?? "";
  const hostPart = parts.length >= 2 ? (parts[parts.length - 2] ?? "") : "";
  const slash = containerPart.indexOf("/");
  const protocol = slash === -1 ? "tcp" : containerPart.slice(slash + 1).toLowerCase() || "tcp";
  const container = portRange(slash === -1 ? containerPart : containerPart.slice(0, slash));
  if (!container || !["tcp", "udp", "sctp"].includes(protocol)) return undefined;
  const host = hostPart === "" ? undefined : portRange(hostPart);
  if (hostPart !== "" && !host) return undefined;
  const count = container.end - container.start + 1;
  if (host && count > 1 && host.end - host.start !== container.end - container.start) return undefined;
  const ports: PortSpec[] = [];
  for (let index = 0; index < count; index++) {
    const target = container.start + index;
    const published = !host ? [0] : count > 1 ? [host.start + index] : range(host.start, host.end);
    for (const port of published) ports.push({ protocol, target, published: port, mode: "ingress" });
  }
  return ports;
}

function portRange(text: string): { start: number; end: number } | undefined {
  const match = /^(\d+)(?:-(\d+))?$/.exec(text);
  if (!match) return undefined;
  const start = Number(match[1]);
  const end = match[2] === undefined ? start : Number(match[2]);
  return start <= end && end <= 65535 ? { start, end } : undefined;
}

function portNumber(value: unknown): number | undefined {
  const number = typeof value === "string" && /^\d+$/.test(value) ? Number(value) : value;
  return typeof number === "number" && Number.isInteger(number) && number >= 0 && number <= 65535
    ? number
    : undefined;
}

function range(start: number, end: number): number[] {
  return Array.from({ length: end - start + 1 }, (_, index) => start + index);
}

/** Ports in a stable order for showing: by target port, then published port, protocol and mode. */
export function comparePorts(a: PortSpec, b: PortSpec): number {
  return (
    a.target - b.target ||
    a.published - b.published ||
    a.protocol.localeCompare(b.protocol) ||
    a.mode.localeCompare(b.mode)
  );
}

/** `18080:80/tcp`, `9000/tcp` (Swarm picks the published port), `18053:53/udp (host)`. */
export function formatPort(port: PortSpec): string {
  const text = `${port.published ? `${port.published}:` : ""}${port.target}/${port.protocol}`;
  return port.mode === "ingress" ? text : `${text} (${port.mode})`;
}
