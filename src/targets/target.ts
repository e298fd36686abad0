/**
 * The verbs every deployment target implements. A run drives them in a fixed order — render,
 * plan, apply, prune — and each returns plain data or a ChangeSet, never output. The pipeline
 * knows targets only through this file and registry.ts.
 */
import type { ChangeSetEntry, ItemKind } from "../model/changeset.js";
import type { Suspension } from "../model/suspension.js";
import type { SecretMasker } from "../report/mask.js";

/** What the pipeline reads of any rendered item. */
export interface DesiredItem {
  name: string;
  /** Said in the log, not failures (a deprecated key, an ignored option). */
  warnings: readonly string[];
}

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
  /** The live item was changed by hand while git stayed the same. */
  drift?: boolean;
  /** What differs between git and the live item, for a person, line by line. */
  details?: string[];
  /** Set on a `skip` of a suspended item: who suspended it, when and why. */
  suspended?: Suspension;
}

export interface TargetPlan<Item extends PlannedItem = PlannedItem> {
  items: Item[];
}

export interface ApplyOptions {
  /** Redeploy items that drifted from git by hand (false: report them only). */
  heal: boolean;
}

export interface PlanOptions {
  /** Why the desired state is incomplete, if it is; disables pruning. */
  incompleteBecause?: string;
}

export interface Target<Desired extends DesiredItem = DesiredItem, Plan extends TargetPlan = TargetPlan> {
  readonly name: string;
  readonly type: string;
  /** What its items are called in reports: `stack`, `release`. */
  readonly itemKind: ItemKind;
  render(): Promise<RenderedItems<Desired>>;
  /** Where git declares the item, for `validate`/`render` (`stacks/web/compose.yaml`). */
  declaredIn(item: Desired): string;
  /** `croncd render --out DIR`: writes what would be deployed under `dir`, masked. */
  writeRendered(item: Desired, dir: string, masker: SecretMasker): Promise<void>;
  plan(desired: RenderedItems<Desired>, options: PlanOptions): Promise<Plan>;
  /** Creates and updates; one failing item does not stop the others. */
  apply(plan: Plan, options: ApplyOptions): Promise<ChangeSetEntry[]>;
  /** Deletes what the plan marked for deletion (only after apply); refusals become failures. */
  prune(plan: Plan): Promise<ChangeSetEntry[]>;
}

/** What every target factory receives (registry.ts hands a target's config to its factory). */
export interface TargetContext<Config, Live> {
  config: Config;
  checkout: Checkout;
  /** Called with every decrypted value as soon as it is known, so it is masked from then on. */
  onSecrets: (values: readonly string[]) => void;
  env?: NodeJS.ProcessEnv;
  /**
   * The live state read early (see TargetType.readLiveState), asked for when planning: undefined
   * when it may be stale (something else changed the live system since), and then plan reads again.
   */
  earlyLive?: () => Promise<LiveItems<Live>> | undefined;
}

/** A target's live items by name, as its plan reads them. */
export type LiveItems<Live> = Map<string, Live>;

export interface Checkout {
  /** Absolute folder of the source's checkout. */
  dir: string;
  url: string;
  commit: string;
}
