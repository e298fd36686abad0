/**
 * What Swarm refuses, or what breaks on it, in a file docker's stack loader reads without
 * complaint. Checked before anything is deployed, so `croncd validate` on a merge request fails
 * where the scheduled run would.
 */
import type { SchemaIssue } from "../../compose/schema.js";
import { isValidImageReference } from "./image-reference.js";
import { publishedPortIssues } from "./published-ports.js";
import { serviceReferenceIssues } from "./service-references.js";
import { isMapping } from "../../util/is-mapping.js";

/** swarmkit's rule for service and network names: a DNS label (letters, digits, '-', '_'). */
const DNS_LABEL = /^[a-zA-Z0-9](?:[-_]*[A-Za-z0-9]+)*$/;
const DNS_LABEL_LIMIT = 63;
/** swarmkit's rule for config and secret names. */
const OBJECT_NAME = /^[a-zA-Z0-9]+(?:[a-zA-Z0-9-_.]*[a-zA-Z0-9])?$/;
const OBJECT_NAME_LIMIT = 64;

/** The local volume driver's rule for names (moby's volume/local). */
const LOCAL_VOLUME_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

type Path = (string | number)[];

export function swarmRuleIssues(document: Record<string, unknown>, stackName: string): SchemaIssue[] {
  return [
    ...entries(document.services).flatMap(([name, service]) => serviceIssues(name, service, stackName)),
    ...entries(document.services).flatMap(([name, service]) =>
      serviceReferenceIssues(name, service, document),
    ),
    ...publishedPortIssues(document.services),
    ...networkIssues(document.networks, stackName),
    ...volumeIssues(document.volumes),
    ...objectIssues("configs", document.configs, stackName),
    ...objectIssues("secrets", document.secrets, stackName),
  ];
}

function serviceIssues(name: string, service: unknown, stackName: string): SchemaIssue[] {
  const at: Path = ["services", name];
  const issues: SchemaIssue[] = [];
  const dnsProblem = dnsLabelProblem(`${stackName}_${name}`);
  if (dnsProblem) {
    issues.push({
      path: at,
      message: `service name "${stackName}_${name}" ${dnsProblem}: rename the service`,
    });
  }
  if (!isMapping(service)) return issues;
  const image = typeof service.image === "string" ? service.image.trim() : "";
  if (image === "") {
    issues.push({
      path: at,
      message:
        service.build === undefined
          ? "has no image: Swarm cannot create a service without one; set image:"
          : "has build: but no image: docker stack deploy does not build images and Swarm cannot create a service without one; " +
            "build and push the image in CI, then set image: to its name",
    });
  } else if (!isValidImageReference(String(service.image))) {
    issues.push({
      path: [...at, "image"],
      message:
        `"${String(service.image)}" is not an image reference docker stack deploy accepts: ` +
        "[registry-host[:port]/]lowercase/path[:tag][@digest]",
    });
  }
  return [...issues, ...relativeBindMounts(service.volumes, [...at, "volumes"])];
}

function networkIssues(networks: unknown, stackName: string): SchemaIssue[] {
  return entries(networks).flatMap(([key, network]): SchemaIssue[] => {
    if (isMapping(network) && network.external) return [];
    const name = declaredName(network) ?? `${stackName}_${key}`;
    const problem = dnsLabelProblem(name);
    return problem
      ? [{ path: ["networks", key], message: `network name "${name}" ${problem}: rename it` }]
      : [];
  });
}

function volumeIssues(volumes: unknown): SchemaIssue[] {
  return entries(volumes).flatMap(([key, volume]): SchemaIssue[] => {
    if (!isMapping(volume) || volume.external) return [];
    const name = declaredName(volume);
    // The local driver checks names when a node creates the volume, so the task fails there;
    // other drivers have rules of their own. Without name:, `<stack>_<key>` always passes.
    const local = volume.driver === undefined || volume.driver === "local";
    if (name === undefined || !local || LOCAL_VOLUME_NAME.test(name)) return [];
    return [
      {
        path: ["volumes", key],
        message:
          `the local volume driver refuses the name "${name}": letters, digits, '_', '.' and '-', ` +
          "starting with a letter or digit, at least 2 characters; rename it",
      },
    ];
  });
}

function objectIssues(section: "configs" | "secrets", objects: unknown, stackName: string): SchemaIssue[] {
  return entries(objects).flatMap(([key, object]): SchemaIssue[] => {
    if (isMapping(object) && object.external) return [];
    const name = declaredName(object) ?? `${stackName}_${key}`;
    if (name.length <= OBJECT_NAME_LIMIT && OBJECT_NAME.test(name)) return [];
    return [
      {
        path: [section, key],
        message:
          `Swarm refuses the name "${name}": at most ${OBJECT_NAME_LIMIT} letters, digits, '-', '_' and '.', ` +
          "starting and ending with a letter or digit; rename it",
      },
    ];
  });
}

function dnsLabelProblem(name: string): string | undefined {
  if (!DNS_LABEL.test(name)) {
    return "is not a DNS label, which Swarm requires (letters, digits, and '-' or '_' between them; no '.')";
  }
  if (name.length > DNS_LABEL_LIMIT) return `is longer than the ${DNS_LABEL_LIMIT} characters Swarm allows`;
  return undefined;
}

/**
 * docker stack deploy turns a relative bind source into an absolute path under the folder of the
 * compose file: for croncd a temporary checkout on the CI runner, deleted when the job ends and
 * absent from the Swarm nodes. `~` is the CI runner's home, just as absent.
 */
function relativeBindMounts(volumes: unknown, at: Path): SchemaIssue[] {
  if (!Array.isArray(volumes)) return [];
  const issues: SchemaIssue[] = [];
  volumes.forEach((volume: unknown, index) => {
    const source = bindSource(volume);
    if (source === undefined || source.startsWith("/") || isWindowsAbsolute(source)) return;
    issues.push({
      path: [...at, index],
      message:
        `bind mount source "${source}" is relative: docker stack deploy resolves it on the CI runner, in a checkout that is gone ` +
        "when the job ends and was never on the Swarm nodes; ship files as a Swarm config or secret, keep data in a named volume, " +
        "or give an absolute path that exists on every node",
    });
  });
  return issues;
}

/** The source of a bind mount (short or long syntax), or undefined for every other mount. */
function bindSource(volume: unknown): string | undefined {
  if (typeof volume === "string") {
    // Short syntax `source:target[:mode]`; docker treats a source starting with '.', '/' or '~'
    // as a path (bind mount), anything else as a volume name.
    const colon = volume.indexOf(":");
    if (colon <= 0) return undefined;
    const source = volume.slice(0, colon);
    return /^[./~]/.test(source) ? source : undefined;
  }
  if (isMapping(volume) && volume.type === "bind" && typeof volume.source === "string") return volume.source;
  return undefined;
}

function isWindowsAbsolute(source: string): boolean {
  return /^[A-Za-z]:[\\/]/.test(source) || source.startsWith("\\\\");
}

function declaredName(value: unknown): string | undefined {
  return isMapping(value) && typeof value.name === "string" ? value.name : undefined;
}

function entries(value: unknown): [string, unknown][] {
  return isMapping(value) ? Object.entries(value) : [];
}
