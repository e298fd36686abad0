/**
 * The contract every notifier type implements (one file per type, registered in registry.ts): turn
 * one run's events into one HTTP request. Delivery, retries, filters and masking are shared
 * (deliver.ts), so a notifier file is only about its service's message format.
 */
import type { HttpAnswer } from "../../ports/http.js";
import type { AlertEvent } from "../event.js";
import type { NotifierConfig } from "./config.js";
import type { SecretForm } from "./variables.js";

export type NotifierType = NotifierConfig["type"];
export type NotifierConfigOf<T extends NotifierType> = Extract<NotifierConfig, { type: T }>;

/** What a notifier needs to build its request. */
export interface MessageInput<C extends NotifierConfig> {
  /** The events this notifier takes (filters applied), already masked. */
  events: readonly AlertEvent[];
  config: C;
  /** The endpoint, read from the variable `config.urlEnv` names. */
  url: string;
  /** Reads another variable the config names (a signing key, Apprise URLs); registers it as a secret. */
  secret: (variable: string, form?: SecretForm) => string;
}

export interface OutgoingRequest {
  url: string;
  headers: Record<string, string>;
  /** The exact bytes sent (a signature may cover them). */
  bodyText: string;
}

export interface NotifierDefinition<C extends NotifierConfig> {
  /** How a person calls the service: "Slack", "Microsoft Teams". */
  readonly label: string;
  request(input: MessageInput<C>): OutgoingRequest;
  /**
   * Why a 2xx answer still means nothing was delivered, if it can (Apprise answers 204 when no
   * configuration is saved under the key).
   */
  undelivered?(answer: HttpAnswer): string | undefined;
}

/** What happened to one notifier's message in a run (the report lists these). */
export interface NotifierDelivery {
  /** The notifier's `name` in croncd.yaml. */
  notifier: string;
  /** How many events the message held. */
  events: number;
  ok: boolean;
  /** Why it was not delivered (masked, no URL). */
  error?: string;
  /** Requests made: 0 when it could not even be built (a variable not set). */
  attempts: number;
}
