/**
 * Host folders a tenant's services may mount. A bind mount reaches the node's file system, so it
 * is refused unless its source lies in one of the policy's folders — judged on the path as the
 * node will read it: `..` and `.` segments resolved, repeated and trailing slashes dropped, and a
 * folder matched only whole (`/srv/team-a` does not admit `/srv/team-ab`). Sources that are not
 * absolute (`./data`, `~/data`) are resolved on the CI runner, not the node: never allowed.
 * A local named volume whose driver options bind a host device (`o: bind`, `device: /etc`) is a
 * bind mount by another name and is judged the same. Symbolic links on the node cannot be seen
 * from here: the allowed folders must be ones tenants cannot place links in by other means.
 */
import path from "node:path";
import type { SchemaIssue } from "../../../compose/schema.js";
import { isMapping } from "../../../util/is-mapping.js";
import type { Policy } from "../../policy-schema.js";
import { serviceEntries, violation } from "./violation.js";

export function bindMountViolations(document: Record<string, unknown>, policy: Policy): SchemaIssue[] {
  const allowed = policy.bindMounts.map(canonicalHostPath);
  const judge = (source: string, at: (string | number)[], what: string): SchemaIssue[] => {
    if (isAllowedHostPath(source, allowed)) return [];
    const where = allowed.length === 0 ? "this target allows none" : `allowed: under ${allowed.join(", ")}`;
    return [violation("bindMounts", at, `${what} "${source}" is not allowed (${where})`)];
  };
  const issues: SchemaIssue[] = [];
  for (const [name, service] of serviceEntries(document)) {
    if (!Array.isArray(service.volumes)) continue;
    service.volumes.forEach((volume: unknown, index) => {
      const source = hostSource(volume);
      if (source !== undefined)
        issues.push(...judge(source, ["services", name, "volumes", index], "bind mount of host path"));
    });
  }
  if (isMapping(document.volumes)) {
    for (const [key, volume] of Object.entries(document.volumes)) {
      const device = boundDevice(volume);
      if (device !== undefined) issues.push(...judge(device, ["volumes", key], "volume bound to host path"));
    }
  }
  return issues;
}

/** `path.posix.normalize` without the trailing slash: `/srv//a/../b/` → `/srv/b`. */
export function canonicalHostPath(hostPath: string): string {
  const normal = path.posix.normalize(hostPath);
  return normal.length > 1 && normal.endsWith("/") ? normal.slice(0, -1) : normal;
}

export function isAllowedHostPath(source: string, allowedFolders: readonly string[]): boolean {
  // Only an absolute POSIX path names the same place on every node; a backslash or NUL is a trick.
  if (!source.startsWith("/") || /[\\\0]/.test(source)) return false;
  const canonical = canonicalHostPath(source);
  return allowedFolders.some(
    (folder) => folder === "/" || canonical === folder || canonical.startsWith(`${folder}/`),
  );
}

/**
 * The host path of a bind mount (or of a Windows named pipe), short or long syntax; undefined for
 * named volumes and tmpfs. Short syntax: docker reads a source starting with `.`, `/` or `~` (or
 * a Windows drive) as a host path, anything else as a volume name.
 */
function hostSource(volume: unknown): string | undefined {
  if (typeof volume === "string") {
    // A Windows drive path (`C:\\data:/data`) is a host path too, and never an allowed one.
    if (/^[A-Za-z]:[\\/]/.test(volume)) return volume;
    const colon = volume.indexOf(":");
    if (colon <= 0) return undefined;
    const source = volume.slice(0, colon);
    return /^[./~]/.test(source) ? source : undefined;
  }
  if (!isMapping(volume)) return undefined;
  if (volume.type !== "bind" && volume.type !== "npipe") return undefined;
  return typeof volume.source === "string" ? volume.source : "";
}

/** The host folder a local volume is bound to (`driver_opts: {o: bind, device: /path}`). */
function boundDevice(volume: unknown): string | undefined {
  if (!isMapping(volume) || volume.external === true || !isMapping(volume.driver_opts)) return undefined;
  if (volume.driver !== undefined && volume.driver !== "local") return undefined;
  const options = volume.driver_opts;
  const device = options.device;
  if (typeof device !== "string") return undefined;
  const mountOptions = (typeof options.o === "string" ? options.o : "")
    .split(",")
    .map((option) => option.trim());
  // A `device` with type none/bind, or mounted with `o: bind`, is a folder of the node.
  const bound =
    mountOptions.includes("bind") ||
    mountOptions.includes("rbind") ||
    options.type === "none" ||
    options.type === "bind";
  return bound ? device : undefined;
}
