/**
 * The shape of croncd.yaml. Every default lives here, exported, so the README, the CLI and the
 * tests agree on one value.
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
  /** Enough for `docker service rollback` to find the previous config or secret. */
  keepRevisions: 2,
  parallelism: 4,
  /** Seconds a git command may receive nothing from the server before it counts as stuck. */
  stallTimeout: 300,
  /** Seconds one docker call that reads or makes small changes may take (an unanswering daemon). */
  dockerTimeout: 60,
  /** Seconds one `docker stack deploy` may take (it resolves every image at the registry). */
  dockerDeployTimeout: 600,
} as const;

/** Names become label values and folder names: keep them to a safe, readable alphabet. */
const name = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_.-]{0,62}$/, "must be lowercase letters, digits, '.', '_' or '-' (max 63)");

/** An environment variable name: where a secret is read from, never the secret itself. */
const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be an environment variable name");

const auth = z
  .object({
    /** HTTPS: the token is read from this environment variable and sent as a Basic auth header. */
    tokenEnv: envName.optional(),
    /** HTTPS: the user name sent with the token (GitLab job tokens need `gitlab-ci-token`). */
    username: z.string().min(1).optional(),
    /** SSH: this environment variable holds the PATH of a private key file (a GitLab "File" variable). */
    sshKeyFileEnv: envName.optional(),
    /** SSH: this environment variable holds the path of a known_hosts file; without it, accept-new. */
    knownHostsFileEnv: envName.optional(),
  })
  .strict()
  .superRefine((value, ctx) => {
    if (value.tokenEnv && value.sshKeyFileEnv) {
      ctx.addIssue({ code: "custom", message: "set tokenEnv or sshKeyFileEnv, not both" });
    }
    if (!value.tokenEnv && !value.sshKeyFileEnv) {
      ctx.addIssue({ code: "custom", message: "set tokenEnv (HTTPS) or sshKeyFileEnv (SSH)" });
    }
  });

/** A branch, tag or SHA as git spells them; never something git could read as an option. */
export const gitRef = z
  .string()
  .min(1)
  .refine((ref) => !ref.startsWith("-") && !/[\s~^:?*[\\]|\.\.|@\{/.test(ref), {
    message: "is not a valid branch, tag or commit name",
  });

export const sourceSchema = z
  .object({
    name,
    url: z.string().min(1, "must not be empty"),
    ref: gitRef.default(DEFAULTS.ref),
    auth: auth.optional(),
    /** Seconds a git command may receive nothing from the server before croncd stops it. */
    stallTimeout: z.number().positive().default(DEFAULTS.stallTimeout),
    /** Fetch the git submodules of the checkout too (shallow, with the source's auth). */
    submodules: z.boolean().default(false),
  })
  .strict();

const relativePath = z
  .string()
  .min(1)
  .refine((p) => !p.startsWith("/") && !p.split(/[\\/]/).includes(".."), {
    message: "must be a path inside the repository (no leading '/', no '..')",
  });

export const swarmTargetSchema = z
  .object({
    name,
    type: z.literal("swarm"),
    source: name,
    /** Folder in the source whose direct subfolders holding a compose file are stacks. */
    path: relativePath.default(DEFAULTS.path),
    prune: z.boolean().default(DEFAULTS.prune),
    /** Allow pruning every stack when git declares none (guards against an emptied checkout). */
    allowEmpty: z.boolean().default(DEFAULTS.allowEmpty),
    maxPrune: z.number().int().min(0).default(DEFAULTS.maxPrune),
    /** Names of CI environment variables a compose file may interpolate; nothing else leaks in. */
    env: z.array(envName).default([]),
    /** Like env, and their values are masked in the log, the report and rendered files. */
    secretEnv: z.array(envName).default([]),
    docker: z
      .object({
        host: z.string().min(1).optional(),
        context: z.string().min(1).optional(),
        /** Seconds one docker call may take (reads, removals: everything but a deploy). */
        timeout: z.number().positive().default(DEFAULTS.dockerTimeout),
        /** Seconds one `docker stack deploy` may take. */
        deployTimeout: z.number().positive().default(DEFAULTS.dockerDeployTimeout),
      })
      .strict()
      // prefault, not default: the empty object is parsed, so the timeouts get their defaults.
      .prefault({}),
    resolveImage: z.enum(["always", "changed", "never"]).default(DEFAULTS.resolveImage),
    withRegistryAuth: z.boolean().default(DEFAULTS.withRegistryAuth),
    /** Unused old revisions of each content-named config/secret kept after a rollout settled. */
    keepRevisions: z.number().int().min(0).default(DEFAULTS.keepRevisions),
    /** Stacks deployed at the same time (each waits for the stacks it dependsOn). */
    parallelism: z.number().int().min(1).default(DEFAULTS.parallelism),
  })
  .strict();

export const configSchema = z
  .object({
    sources: z.array(sourceSchema).min(1, "declare at least one source"),
    targets: z.array(swarmTargetSchema).min(1, "declare at least one target"),
  })
  .strict();

export type SourceConfig = z.infer<typeof sourceSchema>;
export type SwarmTargetConfig = z.infer<typeof swarmTargetSchema>;
export type TargetConfig = SwarmTargetConfig;
export type CroncdConfig = z.infer<typeof configSchema>;
