/**
 * What croncd remembers between CI jobs about the alerts of one target, kept in the target itself
 * (a Swarm config's labels, a ConfigMap): any runner on any machine sees the same memory. It holds
 * only what was last *alerted* — a healthy item has no record — so a lost state makes croncd alert
 * again on everything failing rather than miss anything.
 */

/** An item's key in the state: `stack/web`, `release/team-a/api`, `target/prod`. */
export type ItemKey = string;

export interface ItemAlertState {
  /** The failure last alerted (failed, failure-changed or reminder). */
  failure?: {
    fingerprint: string;
    /** When this failure was first alerted (ISO 8601). */
    since: string;
    /** When it was last alerted: reminders count from here (ISO 8601). */
    alertedAt: string;
  };
  /** An unhealed drift (--no-heal) already alerted: the fingerprint of its field diff. */
  drift?: string;
}

export interface UnavailableState {
  /** Only the source can be remembered: an unreachable target cannot be written to. */
  kind: "source";
  /** The first run that found it unreachable (ISO 8601): the grace period counts from here. */
  since: string;
  /** Whether the source-unavailable event went out (so "available again" is said once). */
  alerted: boolean;
}

export interface TargetAlertState {
  items: Record<ItemKey, ItemAlertState>;
  unavailable?: UnavailableState;
}

export const EMPTY_ALERT_STATE: TargetAlertState = { items: {} };

/** Where a target keeps its alert state; implemented by each target type over its own object. */
export interface AlertStateStore {
  /** For warnings: `Swarm config croncd-alerts-prod`, `ConfigMap team-a/croncd-alerts-prod`. */
  readonly where: string;
  /** The state as last written; undefined when there is none (never written, or deleted). */
  read(): Promise<TargetAlertState | undefined>;
  /** Replaces the state; refuses (throws) when another run wrote it since it was read. */
  write(state: TargetAlertState): Promise<void>;
}

/** Parses a stored state leniently: a record that does not parse counts as no record (alert again). */
export function parseItemState(text: string | undefined): ItemAlertState | undefined {
  if (!text) return undefined;
  try {
    const value = JSON.parse(text) as ItemAlertState;
    if (typeof value !== "object" || value === null) return undefined;
    const failure = value.failure;
    const validFailure =
      failure &&
      typeof failure.fingerprint === "string" &&
      typeof failure.since === "string" &&
      typeof failure.alertedAt === "string";
    const state: ItemAlertState = {
      ...(validFailure ? { failure } : {}),
      ...(typeof value.drift === "string" ? { drift: value.drift } : {}),
    };
    return state.failure || state.drift ? state : undefined;
  } catch {
    return undefined;
  }
}

export function parseUnavailable(text: string | undefined): UnavailableState | undefined {
  if (!text) return undefined;
  try {
    const value = JSON.parse(text) as UnavailableState;
    if (value?.kind !== "source" || typeof value.since !== "string") return undefined;
    return { kind: "source", since: value.since, alerted: value.alerted === true };
  } catch {
    return undefined;
  }
}
