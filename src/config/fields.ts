/**
 * The pieces of croncd.yaml every part shares: defaults and the field rules that each target
 * type's schema (src/targets/<type>/config.ts) builds on. Imports nothing from targets, so a
 * target's schema and the registry can import it without a cycle.
 */
import * as z from "zod";

export const DEFAULTS = {
  ref: "main",
  path: ".",
  prune: false,
  allowEmpty: false,
  /** Deleting stacks is the dangerous verb: a handful per run unless the operator says more. */
  maxPrune: 3,
  resolveImage: "always",
  withRegistryAuth: true,
  /** Off: no registry request at all unless a target or stack asks to follow tags. */
  followTags: false,
  /** Enough for `docker service rollback` to find the previous config or secret. */
  keepRevisions: 2,
  parallelism: 4,
  /** Seconds a git command may receive nothing from the server before it counts as stuck. */
  stallTimeout: 300,
  /** Seconds one docker call that reads or makes small changes may take (an unanswering daemon). */
  dockerTimeout: 60,
  /** Seconds one `docker stack deploy` may take (it resolves every image at the registry). */
  dockerDeployTimeout: 600,
  /** The lock a reconcile or prune takes in the target before changing it (src/lock/). */
  lockName: "croncd-lock",
  /** Seconds a run waits for another run's lock before it fails the target. */
  lockWait: 600,
  /** Seconds a lock lives unless its holder renews it (it does, every third of that). */
  lockTtl: 300,
} as const;

/** Names become label values and folder names: keep them to a safe, readable alphabet. */
export const name = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_.-]{0,62}$/, "must be lowercase letters, digits, '.', '_' or '-' (max 63)");

/** An environment variable name: where a secret is read from, never the secret itself. */
export const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be an environment variable name");

export const relativePath = z
  .string()
  .min(1)
  .refine((p) => !p.startsWith("/") && !p.split(/[\\/]/).includes(".."), {
    message: "must be a path inside the repository (no leading '/', no '..')",
  });

/** The prune guards' settings (src/targets/prune-guards.ts): the same for every target type. */
export const pruneFields = {
  prune: z.boolean().default(DEFAULTS.prune),
  /** Allow pruning every item when git declares none (guards against an emptied checkout). */
  allowEmpty: z.boolean().default(DEFAULTS.allowEmpty),
  maxPrune: z.number().int().min(0).default(DEFAULTS.maxPrune),
};

/**
 * `lock:` of a target: the lock a reconcile or a prune takes in the live system itself (a Swarm
 * config, a ConfigMap) so that two runs never change it at once, whatever the CI does.
 */
export const lockField = z
  .object({
    /** The lock object's name. Targets on one Swarm/cluster exclude each other only under one name. */
    name: z
      .string()
      .regex(
        /^[a-z0-9]([a-z0-9.-]{0,61}[a-z0-9])?$/,
        "must be lowercase letters, digits, '.' or '-', starting and ending with a letter or digit (max 63)",
      )
      .default(DEFAULTS.lockName),
    /** Seconds to wait for a lock another run holds; 0: fail at once. */
    wait: z.number().min(0).default(DEFAULTS.lockWait),
    /** Seconds the lock lives without renewal: how long a killed run blocks the next ones. */
    ttl: z.number().min(1).default(DEFAULTS.lockTtl),
  })
  .strict()
  .prefault({});

export type LockConfig = z.infer<typeof lockField>;
