/**
 * Stages 3–5 for one rendered target: plan, then (reconcile only) apply, then prune. Stops at a
 * stage boundary when a stage cannot give the next what it needs; keeps going across items.
 */
import { describeError, TargetUnavailableError } from "../errors.js";
import { changeEntry, type ChangeSetEntry } from "../model/changeset.js";
import { plannedEntry } from "../targets/planned-entry.js";
import type { DesiredItem, RenderedItems, TargetPlan } from "../targets/target.js";
import type { RenderedTarget } from "./render-targets.js";

export interface DeliverOptions {
  mode: "plan" | "reconcile";
  /** Redeploy items that drifted by hand (reconcile without --no-heal). */
  heal: boolean;
  /** Set when any part of the desired state failed: nothing may be pruned. */
  incompleteBecause?: string;
  /** Called (reconcile) when an item was deployed or removed, or a deploy was tried and failed. */
  onTargetChanged?: () => void;
  /**
   * reconcile: takes the target's lock before its first change (see run-locks.ts); resolves true
   * when it was just taken, and the target is then planned again from the live state read under
   * the lock. Throws when the lock cannot be had: nothing of the target is changed.
   */
  holdLock?: () => Promise<boolean>;
}

export async function deliverTarget(
  rendered: RenderedTarget,
  options: DeliverOptions,
): Promise<ChangeSetEntry[]> {
  const { config, target } = rendered;
  if (rendered.failure || !target || !rendered.rendered) return rendered.failure ? [rendered.failure] : [];
  const failures = rendered.rendered.failures;

  const targetFailure = (error: unknown) => {
    const subject = { kind: "target", name: config.name, target: config.name } as const;
    // Classified by the error's class, never its words: the port that met the failure knows.
    const unavailable = error instanceof TargetUnavailableError ? { unavailable: "target" as const } : {};
    return [...failures, changeEntry(subject, "failed", describeError(error), unavailable)];
  };
  const planTarget = () =>
    target.plan(
      rendered.rendered as RenderedItems<DesiredItem>,
      options.incompleteBecause ? { incompleteBecause: options.incompleteBecause } : {},
    );

  let plan: TargetPlan;
  try {
    plan = await planTarget();
  } catch (error) {
    return targetFailure(error);
  }
  if (options.mode === "plan") {
    const subject = { kind: target.itemKind, target: config.name };
    return [...failures, ...plan.items.map((item) => plannedEntry(subject, item))];
  }
  // A run with nothing to change takes no lock: the schedule's usual run costs nothing more.
  if (options.holdLock && changesSomething(plan, options.heal)) {
    try {
      // Planned before the lock: another run may have changed the live system meanwhile.
      if (await options.holdLock()) plan = await planTarget();
    } catch (error) {
      return targetFailure(error);
    }
  }
  const applied = await target.apply(plan, { heal: options.heal });
  const deployFailures = applied.filter((entry) => entry.action === "failed").length;
  // An item renamed in git whose new name failed to deploy must not lose the old one too.
  const prunePlan =
    deployFailures > 0
      ? refuseDeletions(
          plan,
          `not pruned: ${deployFailures} ${target.itemKind}(s) of this target failed to deploy in this run`,
        )
      : plan;
  const deployed = applied.some((entry) => entry.action !== "unchanged" && entry.action !== "skipped");
  if (deployed || prunePlan.items.some((item) => item.action === "delete")) options.onTargetChanged?.();
  return [...failures, ...applied, ...(await target.prune(prunePlan))];
}

/** Whether applying or pruning the plan would change the live system (what needs the lock). */
function changesSomething(plan: TargetPlan, heal: boolean): boolean {
  return plan.items.some(
    (item) =>
      item.action === "delete" ||
      ((item.action === "create" || item.action === "update") && (heal || !item.drift)),
  );
}

/** The same plan with every deletion refused; items keep their own fields (the target reads them). */
function refuseDeletions<Plan extends TargetPlan>(plan: Plan, reason: string): Plan {
  return {
    ...plan,
    items: plan.items.map((item) =>
      item.action === "delete" ? { ...item, action: "refuse" as const, reason } : item,
    ),
  };
}
