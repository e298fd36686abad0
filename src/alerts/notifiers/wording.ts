/**
 * The words every notifier uses, whatever its format: a headline per event, its facts (target,
 * stack/release, service, commit, CI job) and a title for the whole message. Nothing here depends
 * on the time or on the run, so identical failures read identically (chat tools and mail filters
 * de-duplicate on that).
 */
import type { AlertEvent, AlertEventKind } from "../event.js";

/** Chat messages show this many events and count the rest (Slack allows 50 blocks a message). */
export const MAX_EVENTS_SHOWN = 10;
/** A cause longer than this is cut (a chat message is for reading, the job log has all of it). */
export const MAX_CAUSE_CHARS = 1000;
/** Drift details shown per event; the rest are counted. */
export const MAX_DETAILS_SHOWN = 10;

export type Tone = "bad" | "warning" | "good";

interface KindWording {
  mark: string;
  tone: Tone;
  /** For the title's counts: "2 failed". */
  counted: string;
  headline: (subject: string) => string;
}

const WORDING: Record<AlertEventKind, KindWording> = {
  failed: { mark: "❌", tone: "bad", counted: "failed", headline: (s) => `${s} failed` },
  "failure-changed": {
    mark: "❌",
    tone: "bad",
    counted: "failing differently",
    headline: (s) => `${s} is failing differently`,
  },
  reminder: { mark: "🔁", tone: "bad", counted: "still failing", headline: (s) => `${s} is still failing` },
  recovered: { mark: "✅", tone: "good", counted: "recovered", headline: (s) => `${s} recovered` },
  drift: {
    mark: "🔀",
    tone: "warning",
    counted: "changed outside git",
    headline: (s) => `${s} was changed outside git`,
  },
  "source-unavailable": {
    mark: "⚠️",
    tone: "warning",
    counted: "source unreachable",
    headline: (s) => `${s}: the git source is unreachable`,
  },
  "target-unavailable": {
    mark: "⚠️",
    tone: "warning",
    counted: "target unreachable",
    headline: (s) => `${s}: the target is unreachable`,
  },
};

export function tone(event: AlertEvent): Tone {
  return WORDING[event.kind].tone;
}

/** "stack web on prod failed", without the mark. */
export function headline(event: AlertEvent): string {
  const subject = event.item
    ? `${event.item.kind} ${event.item.name} on ${event.target}`
    : `target ${event.target}`;
  return WORDING[event.kind].headline(subject);
}

/** "❌ stack web on prod failed". */
export function markedHeadline(event: AlertEvent): string {
  return `${WORDING[event.kind].mark} ${headline(event)}`;
}

/** "croncd prod: 2 failed, 1 recovered": what a notification preview shows. */
export function messageTitle(events: readonly AlertEvent[]): string {
  const targets = [...new Set(events.map((event) => event.target))];
  const where = targets.length <= 3 ? targets.join(", ") : `${targets.length} targets`;
  const counts = new Map<string, number>();
  for (const event of events) {
    const counted = WORDING[event.kind].counted;
    counts.set(counted, (counts.get(counted) ?? 0) + 1);
  }
  const parts = [...counts].map(([counted, count]) => `${count} ${counted}`);
  return `croncd ${where}: ${parts.join(", ")}`;
}

export interface Fact {
  label: string;
  text: string;
  /** Where the text links to, when it does. */
  url?: string;
}

/** The facts a person needs to act: where, what, which commit, which job. */
export function facts(event: AlertEvent): Fact[] {
  const list: Fact[] = [{ label: "Target", text: event.target }];
  if (event.item) list.push({ label: capitalised(event.item.kind), text: event.item.name });
  if (event.service) list.push({ label: "Service", text: event.service });
  if (event.commit) {
    list.push({
      label: "Commit",
      text: shortSha(event.commit.sha),
      ...(event.commit.url ? { url: event.commit.url } : {}),
    });
  }
  if (event.jobUrl) list.push({ label: "CI job", text: "open the job log", url: event.jobUrl });
  return list;
}

/** The cause, cut to a readable length. */
export function causeText(event: AlertEvent): string | undefined {
  if (!event.cause) return undefined;
  return event.cause.length > MAX_CAUSE_CHARS ? `${event.cause.slice(0, MAX_CAUSE_CHARS)}…` : event.cause;
}

/** Drift's field-by-field differences, cut to a readable number of lines. */
export function detailLines(event: AlertEvent): string[] {
  const details = event.details ?? [];
  if (details.length <= MAX_DETAILS_SHOWN) return details;
  return [...details.slice(0, MAX_DETAILS_SHOWN), `… and ${details.length - MAX_DETAILS_SHOWN} more`];
}

/** The events a chat message shows, and the sentence that counts the others. */
export function shownEvents(events: readonly AlertEvent[]): { shown: AlertEvent[]; more?: string } {
  if (events.length <= MAX_EVENTS_SHOWN) return { shown: [...events] };
  const hidden = events.length - MAX_EVENTS_SHOWN;
  return {
    shown: events.slice(0, MAX_EVENTS_SHOWN),
    more: `… and ${hidden} more event${hidden === 1 ? "" : "s"}: see the CI job's report`,
  };
}

export function shortSha(sha: string): string {
  return sha.slice(0, 12);
}

function capitalised(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}
