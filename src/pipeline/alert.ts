/**
 * Stage 7 of a reconcile, after every target was delivered: per target, what was last alerted
 * (kept in the target) plus what this run found give the events; the events go to the notifiers,
 * the failures to the issue tracker. Alerting never changes the run's result: a state that cannot
 * be read or written, a notifier or tracker that fails, is a warning. plan, validate and render
 * never alert (they deploy nothing, so nothing of theirs is a change of state).
 */
import type { AlertsConfig } from "../alerts/config.js";
import type { AlertEvent } from "../alerts/event.js";
import { syncIssue as realSyncIssue, type TargetFailure } from "../alerts/issue-tracker/index.js";
import { commitUrl } from "../alerts/links.js";
import { ciJobUrl } from "../util/ci-job-url.js";
import { sendAlertEvents as realSend, type NotifierDelivery } from "../alerts/notifiers/index.js";
import type { TargetObservation } from "../alerts/observation.js";
import { observeTarget } from "../alerts/observe.js";
import type { TargetAlertState } from "../alerts/state.js";
import { transition } from "../alerts/transitions.js";
import type { TargetConfig } from "../config/schema.js";
import { describeError } from "../errors.js";
import type { ChangeSetEntry } from "../model/changeset.js";
import type { IssueSummary } from "../report/json-report.js";
import type { Logger } from "../report/logger.js";
import { targetTypeOf } from "../targets/registry.js";
import { canonicalJson } from "../util/hash.js";
import type { PulledSource } from "./pull.js";

export interface AlertOutcome {
  events: AlertEvent[];
  deliveries: NotifierDelivery[];
  issues: IssueSummary[];
  /** What went wrong beside the run (state not kept, a delivery failed): for the report's warnings. */
  warnings: string[];
}

/** Where events and failures go; the run passes the real ones, tests may pass others. */
export interface AlertSinks {
  sendAlertEvents: typeof realSend;
  syncIssue: typeof realSyncIssue;
}

export interface AlertRequest {
  alerts: AlertsConfig;
  targets: readonly TargetConfig[];
  entries: readonly ChangeSetEntry[];
  sources: readonly PulledSource[];
  env: NodeJS.ProcessEnv;
  log: Logger;
  now: Date;
  sinks?: AlertSinks;
}

export async function alertAfterReconcile(request: AlertRequest): Promise<AlertOutcome> {
  const sinks = request.sinks ?? { sendAlertEvents: realSend, syncIssue: realSyncIssue };
  const { alerts, log } = request;
  const outcome: AlertOutcome = { events: [], deliveries: [], issues: [], warnings: [] };
  const warn = (line: string) => {
    const masked = log.masker.mask(line);
    log.warn(masked);
    outcome.warnings.push(masked);
  };
  const jobUrl = ciJobUrl(request.env);

  for (const target of request.targets) {
    const source = request.sources.find((candidate) => candidate.name === target.source);
    const observed = observeTarget({
      target: target.name,
      entries: request.entries,
      ...(source?.commit ? { commit: commitOf(source.url, source.commit) } : {}),
      ...(jobUrl ? { jobUrl } : {}),
      mask: (text) => log.masker.mask(text),
    });
    outcome.events.push(...(await targetEvents(target, observed, request, warn)));
    if (alerts.issue) {
      const result = await sinks.syncIssue({
        config: alerts.issue,
        target: target.name,
        failures: failuresOf(observed),
        ...(observed.unavailable ? { unavailable: observed.unavailable.kind } : {}),
        ...(observed.commit ? { commit: observed.commit } : {}),
        ...(jobUrl ? { jobUrl } : {}),
        env: request.env,
        masker: log.masker,
        log,
      });
      if (result.error) warn(`target ${target.name}: issue not updated: ${result.error}`);
      outcome.issues.push({ target: target.name, ...result });
    }
  }

  for (const event of outcome.events) log.info(describeEvent(event));
  if (outcome.events.length > 0 && alerts.notifiers.length > 0) {
    outcome.deliveries = await sinks.sendAlertEvents(outcome.events, {
      notifiers: alerts.notifiers,
      env: request.env,
      masker: log.masker,
      log,
    });
    for (const delivery of outcome.deliveries) {
      if (!delivery.ok)
        warn(`notifier ${delivery.notifier}: not delivered: ${delivery.error ?? "unknown error"}`);
    }
  }
  return outcome;
}

/** Reads the target's state, decides, and keeps the next state; a store that fails is a warning. */
async function targetEvents(
  target: TargetConfig,
  observed: TargetObservation,
  request: AlertRequest,
  warn: (line: string) => void,
): Promise<AlertEvent[]> {
  // An unreachable target cannot be asked for its state, nor keep a new one.
  const store =
    observed.unavailable?.kind === "target"
      ? undefined
      : targetTypeOf(target).alertState?.(target, request.env);
  let previous: TargetAlertState | undefined;
  let readable = store !== undefined;
  if (store) {
    try {
      previous = await store.read();
    } catch (error) {
      // Better twice than never: without the state, everything failing is alerted again.
      warn(
        `target ${target.name}: alert state not read (${describeError(error)}); alerting on every failure`,
      );
      readable = false;
    }
  }
  const { events, next } = transition(previous, observed, {
    repeatInterval: request.alerts.repeatInterval,
    unavailableGrace: request.alerts.unavailableGrace,
    now: request.now,
  });
  const unchanged = canonicalJson(previous ?? { items: {} }) === canonicalJson(next);
  if (store && readable && !unchanged) {
    try {
      await store.write(next);
    } catch (error) {
      warn(
        `target ${target.name}: alert state not kept (${describeError(error)}); the next run may alert again`,
      );
    }
  }
  return events;
}

function commitOf(sourceUrl: string, sha: string): NonNullable<AlertEvent["commit"]> {
  const url = commitUrl(sourceUrl, sha);
  return { sha, ...(url ? { url } : {}) };
}

function failuresOf(observed: TargetObservation): TargetFailure[] {
  return observed.items.flatMap((item) =>
    item.status === "failed"
      ? [
          {
            ...(item.item.kind === "target" ? {} : { item: item.item }),
            cause: item.cause,
            fingerprint: item.fingerprint,
          },
        ]
      : [],
  );
}

/** One log line per event: what a notifier will say, for the CI log. */
export function describeEvent(event: AlertEvent): string {
  const subject = event.item ? `${event.item.kind} ${event.item.name}` : `target ${event.target}`;
  const where = event.item ? `[${event.target}] ` : "";
  return `alert ${event.kind} (${event.severity}): ${where}${subject}${event.cause ? `: ${event.cause}` : ""}`;
}
