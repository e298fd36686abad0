/**
 * The `type: helmfile` entry of croncd.yaml. Field names and defaults mirror the Swarm target's
 * (prune, allowEmpty, maxPrune) so that a release gets exactly the guards a stack gets.
 */
import * as z from "zod";
import { HELMFILE_POLICY_FIELDS, policyFor } from "../policy-schema.js";
import { envName, lockField, name, pruneFields, relativePath } from "../../config/fields.js";

export const HELMFILE_DEFAULTS = {
  path: "helmfile.yaml",
  /** Seconds one `helmfile list`/`diff`, `helm uninstall` or `kubectl` call may take. */
  commandTimeout: 300,
  /** Seconds one `helmfile apply` of one release may take, beyond its own `--timeout`. */
  applyGrace: 120,
} as const;

/** A Kubernetes namespace name (RFC 1123 label). */
const namespace = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, "must be a Kubernetes namespace name");

export const helmfileTargetSchema = z
  .object({
    name,
    type: z.literal("helmfile"),
    source: name,
    /** A helmfile, or a folder holding helmfile.yaml or helmfile.d/, in the source. */
    path: relativePath.default(HELMFILE_DEFAULTS.path),
    /** helmfile -e */
    environment: z.string().min(1).optional(),
    /** helmfile -l, each a selector (helmfile ORs them). */
    selectors: z.array(z.string().min(1)).default([]),
    kube: z
      .object({
        /** The CI variable holding the kube context to use (helmfile/helm/kubectl --kube-context). */
        contextEnv: envName.optional(),
        /** The CI variable holding the PATH of the kubeconfig file (a GitLab "File" variable). */
        kubeconfigEnv: envName.optional(),
      })
      .strict()
      .prefault({}),
    /** Where croncd keeps its record of the releases it applied (a namespace the tenant can write). */
    inventory: z.object({ namespace: namespace.optional() }).strict().prefault({}),
    ...pruneFields,
    /**
     * CI variables whose values are masked in the log and the report (a helmfile reads the job's
     * environment itself, with `requiredEnv`; these are the ones that are secrets).
     */
    secretEnv: z.array(envName).default([]),
    /** `helmfile apply --wait`: wait until the release's resources are ready. */
    wait: z.boolean().default(true),
    /** Seconds `helmfile apply --timeout` gives helm; unset: helmfile's own (helmDefaults.timeout). */
    timeout: z.number().int().positive().optional(),
    /** Seconds one helmfile/helm/kubectl call that is not an apply may take. */
    commandTimeout: z.number().positive().default(HELMFILE_DEFAULTS.commandTimeout),
    /** The lock taken before changing anything (src/lock/); targets on one live system share it. */
    lock: lockField,
    /** Where the tenant's releases may go and come from (src/targets/policy-schema.ts); none: unchecked. */
    policy: policyFor("helmfile", HELMFILE_POLICY_FIELDS),
  })
  .strict();

export type HelmfileTargetConfig = z.infer<typeof helmfileTargetSchema>;
