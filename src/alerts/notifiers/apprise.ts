/**
 * An Apprise API server (caronc/apprise-api), which forwards to any of the services Apprise knows
 * (mail, Matrix, ntfy, Telegram, …). Stateful: `urlEnv` points at `/notify/KEY` and the server
 * holds the services' URLs under that key (`tags` pick some of them). Stateless: `urlEnv` points at
 * `/notify` and `urlsEnv` names the variable holding the Apprise URLs, sent along.
 */
import type { AlertEvent } from "../event.js";
import { JSON_HEADERS, jsonText } from "./json-body.js";
import type { NotifierConfigOf, NotifierDefinition } from "./types.js";
import {
  causeText,
  detailLines,
  facts,
  markedHeadline,
  messageTitle,
  shownEvents,
  type Fact,
} from "./wording.js";

export type AppriseType = "info" | "success" | "warning" | "failure";

export interface AppriseBody {
  title: string;
  body: string;
  type: AppriseType;
  format: "markdown";
  /** Apprise reads "a, b" as a OR b. */
  tag?: string;
  urls?: string;
}

export const apprise: NotifierDefinition<NotifierConfigOf<"apprise">> = {
  label: "Apprise",
  request({ events, config, url, secret }) {
    const body: AppriseBody = {
      title: messageTitle(events),
      body: markdownBody(events),
      type: appriseType(events),
      format: "markdown",
      ...(config.tags ? { tag: config.tags.join(", ") } : {}),
      ...(config.urlsEnv ? { urls: secret(config.urlsEnv, "list") } : {}),
    };
    return {
      url,
      // Apprise answers in plain text unless asked; JSON gives a readable reason when it refuses.
      headers: { ...JSON_HEADERS, accept: "application/json" },
      bodyText: jsonText(body),
    };
  },
  undelivered(answer) {
    // 204: the key has no configuration saved, so the server notified nobody.
    return answer.status === 204 ? "the Apprise server has no configuration saved under this key" : undefined;
  },
};

/** The worst event decides: any failure is a failure; all recovered is a success. */
function appriseType(events: readonly AlertEvent[]): AppriseType {
  if (events.some((event) => event.severity === "error")) return "failure";
  if (events.some((event) => event.severity === "warning")) return "warning";
  return events.every((event) => event.kind === "recovered") ? "success" : "info";
}

function markdownBody(events: readonly AlertEvent[]): string {
  const { shown, more } = shownEvents(events);
  const sections = shown.map(eventSection);
  if (more) sections.push(more);
  return sections.join("\n\n");
}

function eventSection(event: AlertEvent): string {
  const lines = [`**${markedHeadline(event)}**`, "", ...facts(event).map(factLine)];
  const cause = causeText(event);
  if (cause) lines.push("", fenced(cause));
  const details = detailLines(event);
  if (details.length > 0) lines.push("", ...details.map((line) => `- ${line}`));
  return lines.join("\n");
}

function factLine(fact: Fact): string {
  return fact.url ? `- ${fact.label}: [${fact.text}](${fact.url})` : `- ${fact.label}: ${fact.text}`;
}

/** A fence longer than any run of backticks in the text, so the text cannot end it. */
function fenced(text: string): string {
  const longestRun = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(Math.max(3, longestRun + 1));
  return `${fence}\n${text}\n${fence}`;
}
