/** Per-notifier filters from croncd.yaml: event kinds, a minimum severity, targets. */
import { SEVERITIES, type AlertEvent } from "../event.js";
import type { NotifierConfig } from "./config.js";

export function eventsFor(config: NotifierConfig, events: readonly AlertEvent[]): AlertEvent[] {
  const minimum = SEVERITIES.indexOf(config.minSeverity);
  return events.filter(
    (event) =>
      (config.events === undefined || config.events.includes(event.kind)) &&
      SEVERITIES.indexOf(event.severity) >= minimum &&
      (config.targets === undefined || config.targets.includes(event.target)),
  );
}
