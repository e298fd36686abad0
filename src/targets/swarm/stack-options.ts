/**
 * Per-stack options from the compose file's top-level `x-croncd:` extension field. Swarm ignores
 * extension fields, so the options travel with the stack they configure.
 */
import * as z from "zod";
import { RenderError } from "../../errors.js";
import type { SourceLocation } from "../../model/changeset.js";
import { formatPath } from "../../util/field-path.js";

export const STACK_OPTION_DEFAULTS = {
  /** false: croncd never prunes this stack, even after it left git. */
  prune: true,
  /** true: take over a stack of the same name that croncd did not deploy. */
  adopt: false,
  /** How long a rollout may take before it counts as failed. */
  timeoutSeconds: 300,
  /**
   * How long every task of a rollout must stay up beyond Swarm's own monitor period before the
   * stack counts as converged: a container that crashes a few seconds later is caught.
   */
  stableForSeconds: 5,
  /** true: croncd leaves the stack alone (not deployed, healed or pruned), as `croncd suspend` does. */
  suspend: false,
} as const;

/** `90`, `"90s"`, `"5m"`, `"1h"`: seconds as a number or a duration with a unit. */
const durationString = z.string().regex(/^\d+(s|m|h)$/, 'use seconds or "90s", "5m", "1h"');
const duration = z.union([z.number().int().positive(), durationString]);
/** A duration that may also be zero. */
const period = z.union([z.number().int().nonnegative(), durationString]);

const stackOptionsSchema = z
  .object({
    prune: z.boolean().default(STACK_OPTION_DEFAULTS.prune),
    adopt: z.boolean().default(STACK_OPTION_DEFAULTS.adopt),
    /** Stacks of the same target that must be healthy before this one is deployed. */
    dependsOn: z.array(z.string().min(1)).default([]),
    timeout: duration.optional(),
    stableFor: period.optional(),
    /**
     * Redeploy when a tag the stack's images name points at another digest in the registry
     * (moving tags); unset, the target's `followTags` applies.
     */
    followTags: z.boolean().optional(),
    suspend: z.boolean().default(STACK_OPTION_DEFAULTS.suspend),
    /** Said in reports with the suspension. */
    suspendReason: z.string().min(1).optional(),
  })
  .strict()
  .refine((options) => options.suspend || options.suspendReason === undefined, {
    message: "suspendReason goes with suspend: true",
    path: ["suspendReason"],
  })
  .transform(({ timeout, stableFor, ...rest }) => ({
    ...rest,
    timeoutSeconds: toSeconds(timeout, STACK_OPTION_DEFAULTS.timeoutSeconds),
    stableForSeconds: toSeconds(stableFor, STACK_OPTION_DEFAULTS.stableForSeconds),
  }));

function toSeconds(value: number | string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value === "number") return value;
  const amount = Number(value.slice(0, -1));
  return amount * ({ s: 1, m: 60, h: 3600 } as const)[value.slice(-1) as "s" | "m" | "h"];
}

export type StackOptions = z.infer<typeof stackOptionsSchema>;

export const STACK_OPTIONS_KEY = "x-croncd";

export function readStackOptions(raw: unknown, where: string, location?: SourceLocation): StackOptions {
  const result = stackOptionsSchema.safeParse(raw ?? {});
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const field = formatPath([STACK_OPTIONS_KEY, ...issue.path.filter((p) => typeof p !== "symbol")]);
    const message =
      issue.code === "unrecognized_keys"
        ? `unknown key ${issue.keys.map((k) => `"${k}"`).join(", ")}`
        : issue.message;
    return `${field}: ${message}`;
  });
  throw new RenderError(problems.join("; "), {
    subject: where,
    ...(location ? { location } : {}),
    hint: "known x-croncd keys: prune, adopt, dependsOn, timeout, stableFor, followTags, suspend, suspendReason",
  });
}
