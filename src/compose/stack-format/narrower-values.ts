/**
 * Values docker's stack loader reads more narrowly than the Compose specification's schema, which
 * croncd uses for types: each would pass that schema and still be refused by docker.
 */
import type { SchemaIssue } from "../schema.js";
import { isMapping } from "../../util/is-mapping.js";

type Path = (string | number)[];

export function narrowerValues(document: Record<string, unknown>): SchemaIssue[] {
  const issues: SchemaIssue[] = [];
  const services = isMapping(document.services) ? document.services : {};
  for (const [name, service] of Object.entries(services)) {
    if (!isMapping(service)) continue;
    const at: Path = ["services", name];
    if (isMapping(service.depends_on)) {
      issues.push({
        path: [...at, "depends_on"],
        message:
          "docker stack deploy refuses the long form of depends_on (condition:, restart:): list the service names instead; " +
          "Swarm starts services in any order, so let the service retry, or gate it with a healthcheck",
      });
    }
    const cacheFrom = mappingAt(service, ["build"])?.cache_from;
    if (
      Array.isArray(cacheFrom) &&
      new Set(cacheFrom.map((item) => JSON.stringify(item))).size < cacheFrom.length
    ) {
      issues.push({
        path: [...at, "build", "cache_from"],
        message: "docker stack deploy refuses the same entry twice here: remove the duplicate",
      });
    }
    const resources = mappingAt(service, ["deploy", "resources"]);
    for (const kind of ["limits", "reservations"]) {
      const cpus = mappingAt(resources, [kind])?.cpus;
      if (typeof cpus === "number") {
        issues.push({
          path: [...at, "deploy", "resources", kind, "cpus"],
          message: `docker stack deploy needs a string here: quote it (cpus: "${cpus}")`,
        });
      }
    }
    const volumes = Array.isArray(service.volumes) ? (service.volumes as unknown[]) : [];
    volumes.forEach((volume, index) => {
      if (typeof volume === "string") {
        const problem = shortVolumeProblem(volume);
        if (problem) issues.push({ path: [...at, "volumes", index], message: problem });
        return;
      }
      const size = mappingAt(volume, ["tmpfs"])?.size;
      if (typeof size === "string") {
        issues.push({
          path: [...at, "volumes", index, "tmpfs", "size"],
          message: `docker stack deploy needs a number of bytes here (got "${size}")`,
        });
      }
    });
  }
  return issues;
}

/**
 * docker's short volume syntax is `[source:]target[:mode]`; a `X:` right at the start is a
 * Windows drive, not a separator. An empty part is most often a variable that was not set.
 */
function shortVolumeProblem(spec: string): string | undefined {
  const drive = /^[A-Za-z]:/.test(spec) ? spec.slice(0, 2) : "";
  const [first = "", ...rest] = spec.slice(drive.length).split(":");
  if (![drive + first, ...rest].includes("")) return undefined;
  return `volume "${spec}" has an empty part between colons, which docker stack deploy refuses (is a variable unset?)`;
}

function mappingAt(value: unknown, path: readonly string[]): Record<string, unknown> | undefined {
  let node = value;
  for (const key of path) {
    if (!isMapping(node)) return undefined;
    node = node[key];
  }
  return isMapping(node) ? node : undefined;
}
