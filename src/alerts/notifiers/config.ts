/** croncd.yaml `alerts.notifiers[]`: where events are sent. Secrets are named, never written here. */
import * as z from "zod";
import { envName, name } from "../../config/fields.js";
import { ALERT_EVENT_KINDS, SEVERITIES } from "../event.js";

const common = {
  /** Shown in the log and the report when a delivery fails. */
  name,
  /** The variable holding the endpoint URL (webhook URLs carry their own secret). */
  urlEnv: envName,
  /** Only these event kinds (all when absent). */
  events: z.array(z.enum(ALERT_EVENT_KINDS)).min(1).optional(),
  /** Only events of at least this severity. */
  minSeverity: z.enum(SEVERITIES).default("info"),
  /** Only events of these targets (all when absent). */
  targets: z.array(name).min(1).optional(),
};

export const notifierSchema = z.discriminatedUnion("type", [
  z
    .object({
      type: z.literal("webhook"),
      ...common,
      /** The variable holding the HMAC-SHA256 key; the body's signature goes in a header. */
      secretEnv: envName.optional(),
    })
    .strict(),
  z.object({ type: z.literal("slack"), ...common }).strict(),
  z.object({ type: z.literal("teams"), ...common }).strict(),
  z
    .object({
      type: z.literal("apprise"),
      ...common,
      /** Apprise tags to notify (stateful /notify/KEY endpoints); all of the key's URLs when absent. */
      tags: z.array(z.string().min(1)).min(1).optional(),
      /**
       * Stateless use (`urlEnv` points at `/notify`): the variable holding the Apprise URLs to notify
       * (they carry the services' credentials, so they are secrets too).
       */
      urlsEnv: envName.optional(),
    })
    .strict(),
]);
export type NotifierConfig = z.infer<typeof notifierSchema>;
