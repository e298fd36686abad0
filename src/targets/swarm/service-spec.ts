/**
 * One Swarm service reduced to the fields croncd compares for drift, from either side:
 *
 * - `desiredServiceView`: a service of the rendered compose document, converted the way
 *   `docker stack deploy` converts it (docker/cli `cli/compose/loader` + `cli/compose/convert`);
 * - `liveServiceView`: the `Spec` of `docker service inspect`.
 *
 * Both produce the same shape with the same normalisation, so a freshly deployed stack compares
 * equal. A field git leaves out becomes what `docker stack deploy` would send for it (empty, zero,
 * one replica), because every deploy sets it so: a value added by hand there is drift too.
 * Pure functions; no docker call.
 */
import { labelMap } from "../../compose/label-map.js";
import { LABELS, STACK_NAMESPACE_LABEL, SUSPENSION_LABELS } from "./labels.js";
import {
  comparePorts,
  formatPort,
  normaliseImage,
  parseMemoryBytes,
  parseNanoCpus,
  parsePorts,
  splitShellWords,
  type ImageReference,
  type PortSpec,
} from "./service-spec-values.js";

export type ServiceMode = "replicated" | "global" | "replicated-job" | "global-job";

/** The resource fields compared, by their drift field name. */
export const RESOURCE_FIELDS = [
  "resources.limits.cpus",
  "resources.limits.memory",
  "resources.limits.pids",
  "resources.reservations.cpus",
  "resources.reservations.memory",
] as const;
export type ResourceField = (typeof RESOURCE_FIELDS)[number];

export interface ServiceView {
  image: ImageReference;
  mode: ServiceMode;
  /** Replicated: the replica count. Replicated job: total completions, if git sets it. */
  replicas?: number;
  /** `entrypoint` → `ContainerSpec.Command`. */
  entrypoint: string[];
  /** `command` → `ContainerSpec.Args`. */
  command: string[];
  /** Value `null`: a bare `KEY` in `ContainerSpec.Env` (no `=`). */
  env: Record<string, string | null>;
  /** Service labels (`deploy.labels`), without docker's and croncd's bookkeeping ones. */
  labels: Record<string, string>;
  /** Container labels (`labels`), without the stack namespace label. */
  containerLabels: Record<string, string>;
  /** As `formatPort` shows them, in `comparePorts` order. */
  ports: string[];
  /** Sorted `<object name> at <path in the container>`. */
  secrets: string[];
  configs: string[];
  /** Nano-CPUs, bytes and a count; 0 is "no limit", as in Swarm. */
  resources: Record<ResourceField, number>;
  /** Sorted. */
  constraints: string[];
}

/**
 * Service labels that are bookkeeping, not configuration: `com.docker.stack.namespace` and
 * `com.docker.stack.image` (set by `docker stack deploy` itself), the commit croncd deployed from
 * (moves with every commit while the stack stays as it was) and the desired-state hash (compared
 * by the planner on its own), and a suspension (`croncd suspend`: the planner reads it on its own,
 * and it is not something git declares). croncd's other labels — managed-by, target, source, prune — are
 * compared: changing them by hand changes who owns the stack.
 */
export function isBookkeepingLabel(key: string): boolean {
  return (
    key.startsWith("com.docker.stack.") ||
    key === LABELS.commit ||
    key === LABELS.desiredHash ||
    (Object.values(SUSPENSION_LABELS) as string[]).includes(key)
  );
}

export function desiredServiceView(
  stackName: string,
  service: Record<string, unknown>,
  document: Record<string, unknown>,
): ServiceView {
  const deploy = mapping(service.deploy);
  const resources = mapping(deploy.resources);
  const limits = mapping(resources.limits);
  const reservations = mapping(resources.reservations);
  const placement = mapping(deploy.placement);
  const mode = desiredMode(deploy.mode);
  const replicas = numeric(deploy.replicas);
  return {
    image: normaliseImage(typeof service.image === "string" ? service.image : ""),
    mode,
    ...(mode === "replicated"
      ? { replicas: replicas ?? 1 }
      : mode === "replicated-job" && replicas !== undefined
        ? { replicas }
        : {}),
    entrypoint: shellCommand(service.entrypoint),
    command: shellCommand(service.command),
    env: desiredEnvironment(service.environment),
    labels: withoutKeys(labelMap(deploy.labels), isBookkeepingLabel),
    containerLabels: withoutKeys(labelMap(service.labels), (key) => key === STACK_NAMESPACE_LABEL),
    ports: desiredPorts(service.ports),
    secrets: fileObjects(service.secrets, mapping(document.secrets), stackName, "/run/secrets/"),
    configs: fileObjects(service.configs, mapping(document.configs), stackName, "/"),
    resources: {
      "resources.limits.cpus": parseNanoCpus(limits.cpus) ?? 0,
      "resources.limits.memory": parseMemoryBytes(limits.memory) ?? 0,
      "resources.limits.pids": numeric(limits.pids) ?? 0,
      "resources.reservations.cpus": parseNanoCpus(reservations.cpus) ?? 0,
      "resources.reservations.memory": parseMemoryBytes(reservations.memory) ?? 0,
    },
    constraints: strings(placement.constraints).sort(),
  };
}

export function liveServiceView(spec: Record<string, unknown>): ServiceView {
  const task = mapping(spec.TaskTemplate);
  const container = mapping(task.ContainerSpec);
  const resources = mapping(task.Resources);
  const limits = mapping(resources.Limits);
  const reservations = mapping(resources.Reservations);
  const modes = mapping(spec.Mode);
  const endpoint = mapping(spec.EndpointSpec);
  let mode: ServiceMode = "replicated";
  let replicas: number | undefined;
  if (modes.Global) mode = "global";
  else if (modes.GlobalJob) mode = "global-job";
  else if (modes.ReplicatedJob) {
    mode = "replicated-job";
    replicas = numeric(mapping(modes.ReplicatedJob).TotalCompletions);
  } else replicas = numeric(mapping(modes.Replicated).Replicas) ?? 1;
  return {
    image: normaliseImage(typeof container.Image === "string" ? container.Image : ""),
    mode,
    ...(replicas !== undefined ? { replicas } : {}),
    entrypoint: strings(container.Command),
    command: strings(container.Args),
    env: environmentList(strings(container.Env)),
    labels: withoutKeys(labelMap(spec.Labels), isBookkeepingLabel),
    containerLabels: withoutKeys(labelMap(container.Labels), (key) => key === STACK_NAMESPACE_LABEL),
    ports: list(endpoint.Ports)
      .map((port): PortSpec => ({
        protocol: typeof port.Protocol === "string" && port.Protocol ? port.Protocol : "tcp",
        target: numeric(port.TargetPort) ?? 0,
        published: numeric(port.PublishedPort) ?? 0,
        mode: typeof port.PublishMode === "string" && port.PublishMode ? port.PublishMode : "ingress",
      }))
      .sort(comparePorts)
      .map(formatPort),
    secrets: liveFileObjects(container.Secrets, "SecretName", "/run/secrets/"),
    configs: liveFileObjects(container.Configs, "ConfigName", "/"),
    resources: {
      "resources.limits.cpus": numeric(limits.NanoCPUs) ?? 0,
      "resources.limits.memory": numeric(limits.MemoryBytes) ?? 0,
      "resources.limits.pids": numeric(limits.Pids) ?? 0,
      "resources.reservations.cpus": numeric(reservations.NanoCPUs) ?? 0,
      "resources.reservations.memory": numeric(reservations.MemoryBytes) ?? 0,
    },
    constraints: strings(mapping(task.Placement).Constraints).sort(),
  };
}

/**
 * croncd renders `environment` as a mapping of strings (env files folded in); a list of `KEY=value`
 * is read too. A `null` value is a bare `KEY`, which docker/cli's `convertEnvironment` passes on
 * without `=`.
 */
function desiredEnvironment(value: unknown): Record<string, string | null> {
  if (Array.isArray(value)) return environmentList(strings(value));
  return Object.fromEntries(Object.entries(mapping(value)).map(([key, item]) => [key, scalarText(item)]));
}

/** `KEY=value` entries (`ContainerSpec.Env`) as a map; a bare `KEY` has the value `null`. */
function environmentList(entries: readonly string[]): Record<string, string | null> {
  return Object.fromEntries(
    entries.map((entry): [string, string | null] => {
      const equals = entry.indexOf("=");
      return equals === -1 ? [entry, null] : [entry.slice(0, equals), entry.slice(equals + 1)];
    }),
  );
}

/** docker/cli `convertDeployMode`: no mode is replicated. */
function desiredMode(mode: unknown): ServiceMode {
  return mode === "global" || mode === "replicated-job" || mode === "global-job" ? mode : "replicated";
}

/** docker/cli loader `transformShellCommand`: a string is split into words, a list kept. */
function shellCommand(value: unknown): string[] {
  if (typeof value === "string") return splitShellWords(value) ?? [value];
  return Array.isArray(value) ? value.map((item) => scalarText(item) ?? "") : [];
}

function desiredPorts(value: unknown): string[] {
  const { ports, invalid } = parsePorts(value);
  return [...ports.sort(comparePorts).map(formatPort), ...invalid.sort()];
}

/**
 * A service's `secrets:`/`configs:` as Swarm references them (docker/cli `convertFileObject`): the
 * object's name is the top-level entry's `name:` (croncd's content-addressed one, or an external
 * object's), else `<stack>_<key>` — or just `<key>` for an external object without a name; the
 * file target is the long syntax's `target:`, else the key. Swarm mounts a relative target under
 * `/run/secrets/` (secrets) or `/` (configs), so both sides are shown as that full path.
 */
function fileObjects(
  references: unknown,
  definitions: Record<string, unknown>,
  stackName: string,
  mountDir: string,
): string[] {
  return list(references, true)
    .map((reference) => {
      const key = typeof reference.source === "string" ? reference.source : "";
      const definition = mapping(definitions[key]);
      const external = definition.external;
      const externalName = mapping(external).name;
      const name =
        typeof definition.name === "string" && definition.name
          ? definition.name
          : typeof externalName === "string" && externalName
            ? externalName
            : external
              ? key
              : `${stackName}_${key}`;
      const target = typeof reference.target === "string" && reference.target ? reference.target : key;
      return fileObject(name, target, mountDir);
    })
    .sort();
}

function liveFileObjects(references: unknown, nameKey: string, mountDir: string): string[] {
  return list(references)
    .filter((reference) => reference.File)
    .map((reference) =>
      fileObject(
        scalarText(reference[nameKey]) ?? "",
        scalarText(mapping(reference.File).Name) ?? "",
        mountDir,
      ),
    )
    .sort();
}

function fileObject(name: string, target: string, mountDir: string): string {
  return `${name} at ${target.startsWith("/") ? target : `${mountDir}${target}`}`;
}

function withoutKeys(labels: Record<string, string>, drop: (key: string) => boolean): Record<string, string> {
  return Object.fromEntries(Object.entries(labels).filter(([key]) => !drop(key)));
}

function mapping(value: unknown): Record<string, unknown> {
  return value && typeof value === "object" && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

/** List entries as mappings; with `shortAsSource`, a plain string `x` is `{ source: x }`. */
function list(value: unknown, shortAsSource = false): Record<string, unknown>[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item: unknown): Record<string, unknown>[] => {
    if (shortAsSource && typeof item === "string") return [{ source: item }];
    return item && typeof item === "object" && !Array.isArray(item) ? [mapping(item)] : [];
  });
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? (value as unknown[]).map((item) => scalarText(item) ?? "") : [];
}

function numeric(value: unknown): number | undefined {
  if (typeof value === "number" && Number.isFinite(value)) return value;
  if (typeof value === "string" && /^\d+$/.test(value.trim())) return Number(value);
  return undefined;
}

/**
 * Go's `fmt.Sprint` of a YAML scalar, which is what docker/cli makes of one; null stays null (a
 * nested value, which the schema does not allow there, is shown as JSON).
 */
function scalarText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint")
    return String(value);
  return JSON.stringify(value);
}
