/**
 * Slack incoming webhook: one message of Block Kit blocks (a header, then per event a section with
 * the headline and cause and a section of fields), plus `text`, which Slack shows in notifications
 * and wherever blocks cannot be rendered.
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

/** Slack's limits for a header block's text and a section's text. */
const MAX_HEADER_CHARS = 150;
const MAX_SECTION_CHARS = 3000;

type Block = Record<string, unknown>;

export const slack: NotifierDefinition<NotifierConfigOf<"slack">> = {
  label: "Slack",
  request({ events, url }) {
    const title = messageTitle(events);
    const { shown, more } = shownEvents(events);
    const blocks: Block[] = [
      { type: "header", text: { type: "plain_text", text: cut(title, MAX_HEADER_CHARS), emoji: true } },
    ];
    shown.forEach((event, index) => {
      if (index > 0) blocks.push({ type: "divider" });
      blocks.push(...eventBlocks(event));
    });
    if (more) blocks.push({ type: "context", elements: [{ type: "mrkdwn", text: escaped(more) }] });
    const text = [title, ...events.map(markedHeadline)].join("\n");
    return { url, headers: { ...JSON_HEADERS }, bodyText: jsonText({ text, blocks }) };
  },
};

function eventBlocks(event: AlertEvent): Block[] {
  const headline = `*${escaped(markedHeadline(event))}*`;
  const details = detailLines(event)
    .map((line) => `• ${escaped(line)}`)
    .join("\n");
  const cause = causeText(event);
  // Escaping can make a cause several times longer; it gets what the headline and the details
  // leave of the section's limit, so Slack never refuses the whole message over one long cause.
  const causeRoom = MAX_SECTION_CHARS - headline.length - details.length - "\n```\n```".length;
  const parts = [headline];
  if (cause) parts.push(codeBlock(cause, Math.max(causeRoom, 100)));
  if (details) parts.push(details);
  return [
    { type: "section", text: { type: "mrkdwn", text: cut(parts.join("\n"), MAX_SECTION_CHARS) } },
    { type: "section", fields: facts(event).map(field) },
  ];
}

function field(fact: Fact): Block {
  const value = fact.url ? `<${linkTarget(fact.url)}|${escaped(fact.text)}>` : escaped(fact.text);
  return { type: "mrkdwn", text: `*${fact.label}*\n${value}` };
}

/** Slack's mrkdwn reserves &, < and > (links and mentions): a cause must not ping @channel. */
function escaped(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}

/** Inside a code block only the reserved characters matter; ``` would end it early. */
function codeBlock(text: string, maxChars: number): string {
  return "```" + cut(escaped(text).replaceAll("```", "ˋˋˋ"), maxChars) + "```";
}

/** `|` and `>` end a link's target in mrkdwn. */
function linkTarget(url: string): string {
  return url.replaceAll("|", "%7C").replaceAll(">", "%3E");
}

function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
