/**
 * Stages 3–5 for one rendered target: plan, then (reconcile only) apply, then prune. Stops at a
 * stage boundary when a stage cannot give the next what it needs; keeps going across stacks.
 */
import { describeError } from "../errors.js";
import type { ChangeSetEntry } from "../model/changeset.js";
import { plannedEntry } from "../targets/planned-entry.js";
import { describedChanges, type SwarmPlan } from "../targets/swarm/index.js";
import type { RenderedTarget } from "./render-targets.js";

export interface DeliverOptions {
  mode: "plan" | "reconcile";
  /** Redeploy stacks that drifted by hand (reconcile without --no-heal). */
  heal: boolean;
  /** Set when any part of the desired state failed: nothing may be pruned. */
  incompleteBecause?: string;
  /** Called (reconcile) when a stack was deployed or removed, or a deploy was tried and failed. */
  onSwarmChanged?: () => void;
}

export async function deliverTarget(
  rendered: RenderedTarget,
  options: DeliverOptions,
): Promise<ChangeSetEntry[]> {
  const { config, target } = rendered;
  if (rendered.failure || !target || !rendered.rendered) return rendered.failure ? [rendered.failure] : [];
  const failures = rendered.rendered.failures;

  let plan: SwarmPlan;
  try {
    plan = await target.plan(
      rendered.rendered,
      options.incompleteBecause ? { incompleteBecause: options.incompleteBecause } : {},
    );
  } catch (error) {
    return [
      ...failures,
      {
        kind: "target",
        name: config.name,
        target: config.name,
        action: "failed",
        reason: describeError(error),
      },
    ];
  }
  if (options.mode === "plan") {
    const entry = (name: string, fields: Pick<ChangeSetEntry, "action" | "reason">) => ({
      kind: "stack",
      name,
      target: config.name,
      ...fields,
    });
    return [
      ...failures,
      ...plan.items.map((item) => ({ ...plannedEntry(entry, item), ...describedChanges(item) })),
    ];
  }
  const applied = await target.apply(plan, { heal: options.heal });
  const deployFailures = applied.filter((entry) => entry.action === "failed").length;
  // A stack renamed in git whose new name failed to deploy must not lose the old one too.
  const prunePlan =
    deployFailures > 0
      ? refuseDeletions(
          plan,
          `not pruned: ${deployFailures} stack(s) of this target failed to deploy in this run`,
        )
      : plan;
  const deployed = applied.some((entry) => entry.action !== "unchanged" && entry.action !== "skipped");
  if (deployed || prunePlan.items.some((item) => item.action === "delete")) options.onSwarmChanged?.();
  return [...failures, ...applied, ...(await target.prune(prunePlan))];
}

function refuseDeletions(plan: SwarmPlan, reason: string): SwarmPlan {
  return {
    items: plan.items.map((item) =>
      item.action === "delete" ? { ...item, action: "refuse", reason } : item,
    ),
  };
}
