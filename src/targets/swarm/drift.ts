/**
 * Drift: what differs, service by service and field by field, between the stack git declares and
 * the one running in the Swarm. Both sides go through `service-spec.ts`, which normalises git's
 * compose service the way `docker stack deploy` converts it, so a freshly deployed stack shows no
 * change at all.
 *
 * Compared: image (without a digest git does not pin), mode, replicas, command, entrypoint, each
 * env variable, each service label and container label, ports, secrets and configs (object name
 * and mount path), resource limits and reservations (cpus, memory, pids), placement constraints,
 * and services missing from or added to the stack's namespace. A field git leaves out counts as
 * what `docker stack deploy` sends for it — nothing, or one replica — so a limit, port, label or
 * constraint added by hand is drift too: the next deploy removes it.
 *
 * Not compared: the rest of the spec (networks, mounts, healthcheck, update/rollback/restart
 * policies, user, working dir, hostname, DNS, logging, placement preferences, generic resources,
 * uid/gid/mode of secrets and configs, endpoint mode), and the bookkeeping labels of
 * `isBookkeepingLabel` (docker's `com.docker.stack.*`, croncd's commit and desired-state hash).
 *
 * One difference a plain redeploy does not undo: `docker stack deploy --resolve-image never` or
 * `changed` keeps the live image while git's equals the service's `com.docker.stack.image` label,
 * which `docker service update --image` leaves as it was; `--resolve-image always` does reset it.
 *
 * Pure functions; no docker call.
 */
import type { DesiredStack, LiveStack } from "./model.js";
import {
  desiredServiceView,
  liveServiceView,
  RESOURCE_FIELDS,
  type ResourceField,
  type ServiceView,
} from "./service-spec.js";
import { formatBytes, formatNanoCpus, joinShellWords } from "./service-spec-values.js";

export interface FieldChange {
  /** `<stack>_<service>` */
  service: string;
  /**
   * `service` (the whole service is missing or extra), `image`, `mode`, `replicas`, `command`,
   * `entrypoint`, `env.<NAME>`, `labels.<key>` (service labels), `container_labels.<key>`, `ports`,
   * `secrets`, `configs`, `resources.limits.cpus|memory|pids`, `resources.reservations.cpus|memory`,
   * `placement.constraints`.
   */
  field: string;
  /** Values as short readable text; "(none)" when absent. Secrets are NOT masked here (the caller masks). */
  desired: string;
  live: string;
}

export const NONE = "(none)";
const PRESENT = "present";

/**
 * Differences between what git wants and what runs, for a stack that exists on both sides: the
 * services of both sides in name order, each with its changed fields in a fixed order.
 */
export function diffStack(desired: DesiredStack, live: LiveStack): FieldChange[] {
  const services = desired.document.services;
  const declared = new Map<string, Record<string, unknown>>();
  if (services && typeof services === "object" && !Array.isArray(services)) {
    for (const [key, service] of Object.entries(services as Record<string, unknown>)) {
      const definition =
        service && typeof service === "object" && !Array.isArray(service)
          ? (service as Record<string, unknown>)
          : {};
      declared.set(`${desired.name}_${key}`, definition);
    }
  }
  const running = new Map(live.services.map((service) => [service.name, service]));
  const names = [...new Set([...declared.keys(), ...running.keys()])].sort();
  return names.flatMap((name): FieldChange[] => {
    const wanted = declared.get(name);
    const actual = running.get(name);
    if (!actual) return [{ service: name, field: "service", desired: PRESENT, live: NONE }];
    if (!wanted) return [{ service: name, field: "service", desired: NONE, live: PRESENT }];
    return diffService(
      name,
      desiredServiceView(desired.name, wanted, desired.document),
      liveServiceView(actual.spec),
    );
  });
}

/** The changed fields of one service. */
export function diffService(service: string, desired: ServiceView, live: ServiceView): FieldChange[] {
  const changes: FieldChange[] = [];
  const add = (field: string, wanted: string, actual: string) => {
    if (wanted !== actual) changes.push({ service, field, desired: wanted, live: actual });
  };
  // A digest counts only where git pins one; `--resolve-image` adds one that git never wrote.
  const liveImage = imageText(
    live.image.name,
    desired.image.digest === undefined ? undefined : live.image.digest,
  );
  add("image", imageText(desired.image.name, desired.image.digest), liveImage);
  add("mode", desired.mode, live.mode);
  if (desired.mode === live.mode && desired.replicas !== undefined) {
    add("replicas", String(desired.replicas), live.replicas === undefined ? NONE : String(live.replicas));
  }
  add("command", words(desired.command), words(live.command));
  add("entrypoint", words(desired.entrypoint), words(live.entrypoint));
  addMap(add, "env", desired.env, live.env);
  addMap(add, "labels", desired.labels, live.labels);
  addMap(add, "container_labels", desired.containerLabels, live.containerLabels);
  add("ports", listText(desired.ports), listText(live.ports));
  add("secrets", listText(desired.secrets), listText(live.secrets));
  add("configs", listText(desired.configs), listText(live.configs));
  for (const field of RESOURCE_FIELDS) {
    add(field, resourceText(field, desired.resources[field]), resourceText(field, live.resources[field]));
  }
  add("placement.constraints", listText(desired.constraints), listText(live.constraints));
  return changes;
}

/**
 * One line per change, for a person:
 *
 * - `web_app: image: git has croncd-test/busybox:1, live has croncd-test/busybox:2`
 * - `web_app: env.DEBUG: git has (none), live has 1` — `(none)`: the side does not have it;
 *   `""`: an empty value;
 * - `web_db: service missing: git declares it, nothing runs` (removed by hand);
 * - `web_debug: service not in git: runs in the stack's namespace` (added by hand).
 *
 * Values are shown as they are: mask secrets before calling this.
 */
export function formatChanges(changes: readonly FieldChange[]): string[] {
  return changes.map((change) => {
    if (change.field === "service") {
      return change.live === NONE
        ? `${change.service}: service missing: git declares it, nothing runs`
        : `${change.service}: service not in git: runs in the stack's namespace`;
    }
    return `${change.service}: ${change.field}: git has ${shown(change.desired)}, live has ${shown(change.live)}`;
  });
}

function addMap(
  add: (field: string, desired: string, live: string) => void,
  prefix: string,
  desired: Record<string, string | null>,
  live: Record<string, string | null>,
): void {
  const keys = [...new Set([...Object.keys(desired), ...Object.keys(live)])].sort();
  for (const key of keys) add(`${prefix}.${key}`, mapValue(desired, key), mapValue(live, key));
}

function mapValue(values: Record<string, string | null>, key: string): string {
  if (!Object.hasOwn(values, key)) return NONE;
  return values[key] ?? "(no value)";
}

function imageText(name: string, digest: string | undefined): string {
  if (name === "" && digest === undefined) return NONE;
  return digest === undefined ? name : `${name}@${digest}`;
}

function words(list: readonly string[]): string {
  return list.length === 0 ? NONE : joinShellWords(list);
}

function listText(list: readonly string[]): string {
  return list.length === 0 ? NONE : list.join(", ");
}

function resourceText(field: ResourceField, value: number): string {
  if (value === 0) return NONE;
  if (field.endsWith(".cpus")) return formatNanoCpus(value);
  if (field.endsWith(".memory")) return formatBytes(value);
  return String(value);
}

function shown(value: string): string {
  return value === "" ? '""' : value;
}
