/**
 * The shape of croncd.yaml. Every default lives in fields.ts (re-exported here), so the README,
 * the CLI and the tests agree on one value. Each target type's entry comes from the registry.
 */
import * as z from "zod";
import { DEFAULTS, envName, name } from "./fields.js";
import { targetConfigSchema, type TargetConfig } from "../targets/registry.js";
import { alertsSchema } from "../alerts/config.js";

export { DEFAULTS };
export type { TargetConfig };

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

export const configSchema = z
  .object({
    sources: z.array(sourceSchema).min(1, "declare at least one source"),
    targets: z.array(targetConfigSchema).min(1, "declare at least one target"),
    /** Notifications and issues on changes of state (src/alerts/). */
    alerts: alertsSchema.optional(),
  })
  .strict();

export type SourceConfig = z.infer<typeof sourceSchema>;
export type CroncdConfig = z.infer<typeof configSchema>;
