/**
 * The verbs every deployment target implements. A run drives them in a fixed order — render,
 * plan, apply, prune — and each returns plain data or a ChangeSet, never output.
 */
import type { ChangeSetEntry } from "../model/changeset.js";

export interface RenderedItems<Desired> {
  items: Desired[];
  /** Every item git declares, rendered or not: a declared item is never "left git". */
  declared: string[];
  /** Items that could not be rendered; their presence makes the desired state incomplete. */
  failures: ChangeSetEntry[];
}

export interface PlannedItem {
  name: string;
  /**
   * `unhealthy`: matches git but does not run as git wants (reported as failed, not redeployed);
   * `converging`: matches git and an earlier rollout is still moving (watched, not redeployed).
   */
  action: "create" | "update" | "unchanged" | "unhealthy" | "converging" | "delete" | "skip" | "refuse";
  reason: string;
}

export interface ApplyOptions {
  /** Redeploy stacks that drifted from git by hand (false: report them only). */
  heal: boolean;
}

export interface PlanOptions {
  /** Why the desired state is incomplete, if it is; disables pruning. */
  incompleteBecause?: string;
}

export interface Target<Desired, Plan extends { items: PlannedItem[] }> {
  readonly name: string;
  readonly type: string;
  render(): Promise<RenderedItems<Desired>>;
  plan(desired: RenderedItems<Desired>, options: PlanOptions): Promise<Plan>;
  /** Creates and updates; one failing item does not stop the others. */
  apply(plan: Plan, options: ApplyOptions): Promise<ChangeSetEntry[]>;
  /** Deletes what the plan marked for deletion (only after apply); refusals become failures. */
  prune(plan: Plan): Promise<ChangeSetEntry[]>;
}
