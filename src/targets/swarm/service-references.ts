/**
 * What a service refers to must be declared at the top level of the same file: docker stack
 * deploy converts each service only after its reader accepted the file, and refuses there an
 * undefined secret, config, network or named volume, and `replicas` on a global service.
 * `docker stack config` reads without converting, so it passes all of these: croncd checks them
 * itself, or a green validate would meet the refusal only at the scheduled run.
 */
import type { SchemaIssue } from "../../compose/schema.js";
import { isMapping } from "../../util/is-mapping.js";

type Path = (string | number)[];

/** The network every service joins when it names none; docker creates it without a declaration. */
const DEFAULT_NETWORK = "default";

export function serviceReferenceIssues(
  name: string,
  service: unknown,
  document: Record<string, unknown>,
): SchemaIssue[] {
  if (!isMapping(service)) return [];
  const at: Path = ["services", name];
  return [
    ...undeclared("secret", objectSources(service.secrets), document.secrets, [...at, "secrets"]),
    ...undeclared("config", objectSources(service.configs), document.configs, [...at, "configs"]),
    ...undeclared(
      "network",
      networkNames(service.networks).filter(([network]) => network !== DEFAULT_NETWORK),
      document.networks,
      [...at, "networks"],
    ),
    ...undeclared("volume", namedVolumes(service.volumes), document.volumes, [...at, "volumes"]),
    ...globalReplicas(service.deploy, [...at, "deploy"]),
  ];
}

/** A reference and where it is written (an index into a list, or a key of a mapping). */
type Reference = [name: string, where: string | number];

function undeclared(kind: string, references: Reference[], declared: unknown, at: Path): SchemaIssue[] {
  const known = isMapping(declared) ? declared : {};
  return references
    .filter(([name]) => !Object.hasOwn(known, name))
    .map(([name, where]) => ({
      path: [...at, where],
      message: `${kind} "${name}" is not declared under the top-level ${kind}s: docker stack deploy refuses an undefined ${kind}; declare it there (with external: true for one that exists already)`,
    }));
}

/** `secrets: [db]` or `secrets: [{source: db, target: ...}]`. */
function objectSources(list: unknown): Reference[] {
  if (!Array.isArray(list)) return [];
  return list.flatMap((entry: unknown, index): Reference[] => {
    if (typeof entry === "string") return [[entry, index]];
    if (isMapping(entry) && typeof entry.source === "string") return [[entry.source, index]];
    return [];
  });
}

/** `networks: [front]` or `networks: {front: {aliases: [...]}}`. */
function networkNames(networks: unknown): Reference[] {
  if (Array.isArray(networks)) {
    return networks.flatMap((entry: unknown, index): Reference[] =>
      typeof entry === "string" ? [[entry, index]] : [],
    );
  }
  return isMapping(networks) ? Object.keys(networks).map((key): Reference => [key, key]) : [];
}

/**
 * Named volumes a service mounts: short syntax `data:/x[:ro]` (a source not starting with '.',
 * '/' or '~' is a volume name), or long syntax `type: volume` with a source. Anonymous volumes
 * (`/x`, or no source) need no declaration.
 */
function namedVolumes(volumes: unknown): Reference[] {
  if (!Array.isArray(volumes)) return [];
  return volumes.flatMap((volume: unknown, index): Reference[] => {
    if (typeof volume === "string") {
      const colon = volume.indexOf(":");
      if (colon <= 0) return [];
      const source = volume.slice(0, colon);
      // A Windows drive letter (`C:\data`) is a path, as docker's parser reads it.
      if (/^[./~]/.test(source) || /^[A-Za-z]$/.test(source)) return [];
      return [[source, index]];
    }
    if (
      isMapping(volume) &&
      volume.type === "volume" &&
      typeof volume.source === "string" &&
      volume.source !== ""
    ) {
      return [[volume.source, index]];
    }
    return [];
  });
}

function globalReplicas(deploy: unknown, at: Path): SchemaIssue[] {
  if (!isMapping(deploy) || deploy.replicas === undefined) return [];
  if (deploy.mode !== "global" && deploy.mode !== "global-job") return [];
  return [
    {
      path: [...at, "replicas"],
      message: `replicas cannot be set with mode: ${String(deploy.mode)}: docker stack deploy refuses it (a global service runs one task per node); remove replicas or use mode: replicated`,
    },
  ];
}
