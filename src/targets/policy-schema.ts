/**
 * `policy:` on a target in croncd.yaml: what the tenant whose source feeds that target may deploy.
 * One block for every target type, so a platform team writes policies the same way everywhere;
 * each type checks the rules it can enforce (swarm/policy/, helmfile/policy.ts) and refuses, as a
 * config error naming the field, a rule it cannot: a rule silently not enforced is worse than none.
 *
 * No `policy:` is today's behaviour (nothing checked). With a `policy:`, what a container could use
 * to reach the node (privileged, host namespaces, bind mounts, capabilities, devices, published
 * ports) is forbidden unless the policy allows it; the image and resource rules apply when given.
 */
import * as z from "zod";

/** A Docker memory size as compose writes it (`512M`, `1.5g`, bytes as a number). */
const memorySize = z.union([z.number().int().positive(), z.string().regex(/^\d+(\.\d+)? ?[bkmgtp]?i?b?$/i)], {
  message: 'must be a memory size such as "512M" or "2G"',
});

const portNumber = z.number().int().min(1).max(65535);

export const policySchema = z
  .object({
    // ---- Swarm ----
    /** Every stack name (folder name) must start with it: tenants never collide or prune each other. */
    stackPrefix: z
      .string()
      .regex(/^[a-z0-9][a-z0-9_-]*$/, "must be lowercase letters, digits, '-' or '_'")
      .optional(),
    /** `privileged: true`. */
    privileged: z.boolean().default(false),
    /** `network_mode: host`, or a network named `host`. */
    hostNetwork: z.boolean().default(false),
    /** `pid: host`. */
    hostPid: z.boolean().default(false),
    /** `ipc: host`. */
    hostIpc: z.boolean().default(false),
    /** `devices:`. */
    devices: z.boolean().default(false),
    /** Host folders a bind mount may come from (a folder and everything below it); none by default. */
    bindMounts: z
      .array(
        z
          .string()
          .refine(
            (p) => p.startsWith("/") && !p.split("/").includes(".."),
            "must be an absolute host path without '..'",
          ),
      )
      .default([]),
    /** Capabilities `cap_add` may name (`NET_ADMIN`, with or without `CAP_`); none by default. */
    capAdd: z.array(z.string().min(1)).default([]),
    /** Published ports (ingress or host mode) must lie in this range; without it none may be published. */
    publishedPorts: z
      .object({ from: portNumber, to: portNumber })
      .strict()
      .refine((range) => range.from <= range.to, "from must not be greater than to")
      .optional(),
    /**
     * `deploy.placement.constraints`: every service must carry each `required` expression, and may
     * carry no other than those and the `allowed` ones (compared without spaces around the operator).
     */
    placement: z
      .object({
        required: z.array(z.string().min(1)).default([]),
        allowed: z.array(z.string().min(1)).default([]),
      })
      .strict()
      .optional(),
    /** Images must come from one of these registries/repositories (by prefix of the full name). */
    images: z
      .object({
        registries: z.array(z.string().min(1)).min(1, "name at least one registry prefix").optional(),
        /** Only `name@sha256:…` references: what runs never changes under the same tag. */
        digestPinned: z.boolean().default(false),
      })
      .strict()
      .optional(),
    /** `deploy.resources`: limits that must be set, and caps on limits and reservations. */
    resources: z
      .object({
        requireMemoryLimit: z.boolean().default(false),
        requireCpuLimit: z.boolean().default(false),
        maxMemory: memorySize.optional(),
        maxCpus: z.number().positive().optional(),
      })
      .strict()
      .optional(),

    // ---- Helmfile ----
    /** Namespaces releases may go to: a name, or a prefix ending in `*` (`team-a-*`). */
    namespaces: z
      .array(z.string().regex(/^[a-z0-9-]+\*?$/, "must be a namespace name, or a prefix ending in *"))
      .min(1)
      .optional(),
    /** Where charts may come from, by prefix of the chart as helmfile lists it (`oci://reg/team-a/`, `./charts/`). */
    chartRepositories: z.array(z.string().min(1)).min(1).optional(),
  })
  .strict();

export type Policy = z.infer<typeof policySchema>;

/** Which rule (field) each target type enforces; the README's table says the same. */
export const SWARM_POLICY_FIELDS = [
  "stackPrefix",
  "privileged",
  "hostNetwork",
  "hostPid",
  "hostIpc",
  "devices",
  "bindMounts",
  "capAdd",
  "publishedPorts",
  "placement",
  "images",
  "resources",
] as const;
export const HELMFILE_POLICY_FIELDS = ["namespaces", "chartRepositories"] as const;

/**
 * The `policy` field of a target type that enforces `fields`: another type's rule is refused,
 * naming it (checked on the input, so a default is never mistaken for a rule someone wrote).
 */
export function policyFor(type: string, fields: readonly string[]) {
  return z
    .unknown()
    .superRefine((value, ctx) => {
      if (typeof value !== "object" || value === null) return;
      for (const key of Object.keys(value)) {
        if (fields.includes(key) || !(key in policySchema.shape)) continue;
        ctx.addIssue({
          code: "custom",
          path: [key],
          message: `is not a rule ${type} targets can enforce (they enforce: ${fields.join(", ")})`,
        });
      }
    })
    .pipe(policySchema)
    .optional();
}
