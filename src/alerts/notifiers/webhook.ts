/**
 * The generic webhook: the events as data, in a versioned schema a receiver can rely on
 * (`croncd.alerts/v1`; a change that breaks receivers gets a new version). With `secretEnv`, the
 * body is signed: `X-Croncd-Signature: sha256=<hex HMAC-SHA256 of the raw body>`, so a receiver
 * can tell croncd's messages from anyone else's who learnt the URL.
 */
import { createHmac } from "node:crypto";
import type { AlertEvent } from "../event.js";
import { JSON_HEADERS, jsonText } from "./json-body.js";
import type { NotifierConfigOf, NotifierDefinition } from "./types.js";
import { headline, messageTitle } from "./wording.js";

export const WEBHOOK_SCHEMA = "croncd.alerts/v1";
export const SIGNATURE_HEADER = "x-croncd-signature";

/** One event in the webhook body; optional fields are left out when unknown. */
export interface WebhookEvent {
  kind: string;
  severity: string;
  target: string;
  item?: { kind: string; name: string };
  service?: string;
  /** The same sentence chat notifiers show: "stack web on prod failed". */
  headline: string;
  cause?: string;
  details?: string[];
  commit?: { sha: string; url?: string };
  jobUrl?: string;
  fingerprint?: string;
}

export interface WebhookBody {
  schema: typeof WEBHOOK_SCHEMA;
  /** "croncd prod: 2 failed, 1 recovered". */
  title: string;
  events: WebhookEvent[];
}

export const webhook: NotifierDefinition<NotifierConfigOf<"webhook">> = {
  label: "webhook",
  request({ events, config, url, secret }) {
    const body: WebhookBody = {
      schema: WEBHOOK_SCHEMA,
      title: messageTitle(events),
      events: events.map(webhookEvent),
    };
    const bodyText = jsonText(body);
    const headers: Record<string, string> = { ...JSON_HEADERS };
    if (config.secretEnv) headers[SIGNATURE_HEADER] = `sha256=${hmacHex(secret(config.secretEnv), bodyText)}`;
    return { url, headers, bodyText };
  },
};

export function hmacHex(key: string, bodyText: string): string {
  return createHmac("sha256", key).update(bodyText, "utf8").digest("hex");
}

/** Field by field, so the documented schema is exactly what is sent (no internal field leaks in). */
function webhookEvent(event: AlertEvent): WebhookEvent {
  return {
    kind: event.kind,
    severity: event.severity,
    target: event.target,
    ...(event.item ? { item: { kind: event.item.kind, name: event.item.name } } : {}),
    ...(event.service ? { service: event.service } : {}),
    headline: headline(event),
    ...(event.cause ? { cause: event.cause } : {}),
    ...(event.details?.length ? { details: [...event.details] } : {}),
    ...(event.commit
      ? { commit: { sha: event.commit.sha, ...(event.commit.url ? { url: event.commit.url } : {}) } }
      : {}),
    ...(event.jobUrl ? { jobUrl: event.jobUrl } : {}),
    ...(event.fingerprint ? { fingerprint: event.fingerprint } : {}),
  };
}
