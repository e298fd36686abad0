/**
 * The heart of alerting, and pure: the state last alerted plus what this run observed give the
 * events to send and the state to keep. A notification goes out on a change of state only —
 * became failed, failed differently, recovered, drifted — plus reminders while an item stays
 * failed, and unavailability once it outlasted the grace period. A healthy run that changed
 * nothing yields no event and the same state.
 */
import type { AlertEvent } from "./event.js";
import type { ItemObservation, TargetObservation } from "./observation.js";
import type { ItemAlertState, TargetAlertState, UnavailableState } from "./state.js";

export interface TransitionSettings {
  /** Seconds between reminders while an item stays failed the same way; 0: never. */
  repeatInterval: number;
  /** Seconds the source or target may be unreachable before anyone is told. */
  unavailableGrace: number;
  now: Date;
}

export interface Transition {
  events: AlertEvent[];
  next: TargetAlertState;
}

/** `previous` undefined: no state was found (never written, deleted, unreadable): alert on everything failing. */
export function transition(
  previous: TargetAlertState | undefined,
  observed: TargetObservation,
  settings: TransitionSettings,
): Transition {
  const before: TargetAlertState = previous ?? { items: {} };
  const context = eventContext(observed);
  if (observed.unavailable) return unavailableTransition(before, observed, settings, context);

  const events: AlertEvent[] = [];
  if (before.unavailable?.alerted) {
    events.push({
      ...context,
      kind: "recovered",
      severity: "info",
      cause: "the source can be reached again",
    });
  }
  const items: TargetAlertState["items"] = {};
  const seen = new Set<string>();
  for (const observation of observed.items) {
    seen.add(observation.key);
    const outcome = itemTransition(before.items[observation.key], observation, settings, context);
    events.push(...outcome.events);
    if (outcome.next) items[observation.key] = outcome.next;
  }
  for (const [key, state] of Object.entries(before.items)) {
    if (seen.has(key)) continue;
    if (!observed.complete) {
      // The target failed as a whole this run: nothing is known of its items, so nothing changes.
      items[key] = state;
    } else if (state.failure) {
      const [kind = "", ...name] = key.split("/");
      events.push({
        ...context,
        kind: "recovered",
        severity: "info",
        ...eventItem({ kind, name: name.join("/") }),
        cause: "no longer declared in git",
      });
    }
  }
  return { events, next: { items } };
}

type Context = Pick<AlertEvent, "target" | "commit" | "jobUrl">;

function eventContext(observed: TargetObservation): Context {
  return {
    target: observed.target,
    ...(observed.commit ? { commit: observed.commit } : {}),
    ...(observed.jobUrl ? { jobUrl: observed.jobUrl } : {}),
  };
}

/** Events about a whole target (it could not be planned) name no item: the target is the subject. */
function eventItem(item: { kind: string; name: string }): Pick<AlertEvent, "item"> {
  return item.kind === "target" ? {} : { item };
}

function itemTransition(
  before: ItemAlertState | undefined,
  observation: ItemObservation,
  settings: TransitionSettings,
  context: Context,
): { events: AlertEvent[]; next?: ItemAlertState } {
  const base = { ...context, ...eventItem(observation.item) };
  const now = settings.now.toISOString();
  if (observation.status === "failed") {
    const failure = before?.failure;
    const event = {
      ...base,
      severity: "error",
      cause: observation.cause,
      fingerprint: observation.fingerprint,
    } as const;
    if (!failure) {
      return {
        events: [{ ...event, kind: "failed" }],
        next: { failure: { fingerprint: observation.fingerprint, since: now, alertedAt: now } },
      };
    }
    if (failure.fingerprint !== observation.fingerprint) {
      return {
        events: [{ ...event, kind: "failure-changed" }],
        next: { failure: { fingerprint: observation.fingerprint, since: now, alertedAt: now } },
      };
    }
    if (settings.repeatInterval > 0 && isDue(failure.alertedAt, settings.repeatInterval, settings.now)) {
      return { events: [{ ...event, kind: "reminder" }], next: { failure: { ...failure, alertedAt: now } } };
    }
    return { events: [], next: { failure } };
  }

  const events: AlertEvent[] = [];
  if (before?.failure) events.push({ ...base, kind: "recovered", severity: "info" });
  if (observation.status === "healthy") return { events };
  // Drift: healed, it is a fresh out-of-band change every time; unhealed, it stays until fixed and
  // is said once per distinct difference.
  const alreadySaid = !observation.healed && before?.drift === observation.fingerprint;
  if (!alreadySaid) {
    events.push({
      ...base,
      kind: "drift",
      severity: "warning",
      cause: observation.healed
        ? "changed outside git; croncd put it back as git declares it"
        : "changed outside git; not put back (--no-heal)",
      details: observation.details,
    });
  }
  return { events, ...(observation.healed ? {} : { next: { drift: observation.fingerprint } }) };
}

function unavailableTransition(
  before: TargetAlertState,
  observed: TargetObservation,
  settings: TransitionSettings,
  context: Context,
): Transition {
  const unavailable = observed.unavailable as NonNullable<TargetObservation["unavailable"]>;
  const event: AlertEvent = {
    ...context,
    kind: unavailable.kind === "source" ? "source-unavailable" : "target-unavailable",
    severity: unavailable.kind === "source" ? "warning" : "error",
    cause: unavailable.cause,
  };
  if (unavailable.kind === "target") {
    // The state lives in the unreachable target: nothing can say since when, or whether this was
    // said already. Only a grace of 0 asks to be told, and then on every such run.
    return { events: settings.unavailableGrace === 0 ? [event] : [], next: before };
  }
  const since: UnavailableState = before.unavailable ?? {
    kind: "source",
    since: settings.now.toISOString(),
    alerted: false,
  };
  const due = !since.alerted && isDue(since.since, settings.unavailableGrace, settings.now);
  return {
    events: due ? [event] : [],
    // The items keep their state: nothing was deployed, so nothing about them changed.
    next: { ...before, unavailable: { ...since, alerted: since.alerted || due } },
  };
}

/** True when `seconds` have passed since `from` (an unreadable time counts as long ago: better said twice than never). */
function isDue(from: string, seconds: number, now: Date): boolean {
  const start = Date.parse(from);
  if (Number.isNaN(start)) return true;
  return now.getTime() - start >= seconds * 1000;
}
