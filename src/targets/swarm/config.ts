/** `type: swarm` in croncd.yaml: a folder of stacks deployed to one Docker Swarm. */
import * as z from "zod";
import { policyFor, SWARM_POLICY_FIELDS } from "../policy-schema.js";
import { DEFAULTS, envName, lockField, name, pruneFields, relativePath } from "../../config/fields.js";

export const swarmTargetSchema = z
  .object({
    name,
    type: z.literal("swarm"),
    source: name,
    /** Folder in the source whose direct subfolders holding a compose file are stacks. */
    path: relativePath.default(DEFAULTS.path),
    ...pruneFields,
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
      .superRefine((docker, ctx) => {
        if (docker.host && docker.context) {
          ctx.addIssue({ code: "custom", message: "set docker.host or docker.context, not both" });
        }
      })
      // prefault, not default: the empty object is parsed, so the timeouts get their defaults.
      .prefault({}),
    resolveImage: z.enum(["always", "changed", "never"]).default(DEFAULTS.resolveImage),
    withRegistryAuth: z.boolean().default(DEFAULTS.withRegistryAuth),
    /**
     * Moving tags: redeploy a stack whose image tag points at another digest in the registry than
     * the one deployed (one manifest HEAD per distinct image per run). A stack's
     * `x-croncd.followTags` overrides it.
     */
    followTags: z.boolean().default(DEFAULTS.followTags),
    /** Unused old revisions of each content-named config/secret kept after a rollout settled. */
    keepRevisions: z.number().int().min(0).default(DEFAULTS.keepRevisions),
    /** Stacks deployed at the same time (each waits for the stacks it dependsOn). */
    parallelism: z.number().int().min(1).default(DEFAULTS.parallelism),
    /** The lock taken before changing anything (src/lock/); targets on one live system share it. */
    lock: lockField,
    /** What the tenant's stacks may do (src/targets/policy-schema.ts); none: no checks beyond Swarm's. */
    policy: policyFor("swarm", SWARM_POLICY_FIELDS),
  })
  .strict();

export type SwarmTargetConfig = z.infer<typeof swarmTargetSchema>;
