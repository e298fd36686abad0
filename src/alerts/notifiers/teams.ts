/**
 * Microsoft Teams through a Workflows webhook (Power Automate's "When a Teams webhook request is
 * received", the successor of the retired Office 365 connectors): a message with one Adaptive Card
 * attachment, which the workflow posts to its channel.
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
  tone,
  type Tone,
} from "./wording.js";

/** Version 1.4 renders in Teams on every client the workflow posts to. */
export const ADAPTIVE_CARD_VERSION = "1.4";

type Element = Record<string, unknown>;

const COLOUR: Record<Tone, string> = { bad: "Attention", warning: "Warning", good: "Good" };

export const teams: NotifierDefinition<NotifierConfigOf<"teams">> = {
  label: "Microsoft Teams",
  request({ events, url }) {
    const { shown, more } = shownEvents(events);
    const body: Element[] = [
      { type: "TextBlock", text: messageTitle(events), size: "Large", weight: "Bolder", wrap: true },
      ...shown.map(eventContainer),
    ];
    if (more) body.push({ type: "TextBlock", text: more, isSubtle: true, wrap: true, separator: true });
    const jobUrl = events.find((event) => event.jobUrl)?.jobUrl;
    const card = {
      $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
      type: "AdaptiveCard",
      version: ADAPTIVE_CARD_VERSION,
      msteams: { width: "Full" },
      body,
      ...(jobUrl ? { actions: [{ type: "Action.OpenUrl", title: "Open the CI job", url: jobUrl }] } : {}),
    };
    const message = {
      type: "message",
      attachments: [
        { contentType: "application/vnd.microsoft.card.adaptive", contentUrl: null, content: card },
      ],
    };
    return { url, headers: { ...JSON_HEADERS }, bodyText: jsonText(message) };
  },
};

function eventContainer(event: AlertEvent): Element {
  const items: Element[] = [
    {
      type: "TextBlock",
      text: markedHeadline(event),
      weight: "Bolder",
      color: COLOUR[tone(event)],
      wrap: true,
    },
    {
      type: "FactSet",
      facts: facts(event).map((fact) => ({
        title: fact.label,
        value: fact.url ? `[${fact.text}](${fact.url})` : fact.text,
      })),
    },
  ];
  const cause = causeText(event);
  if (cause) items.push({ type: "TextBlock", text: cause, fontType: "Monospace", wrap: true });
  const details = detailLines(event);
  if (details.length > 0) {
    items.push({ type: "TextBlock", text: details.map((line) => `- ${line}`).join("\r"), wrap: true });
  }
  return { type: "Container", separator: true, spacing: "Medium", items };
}
