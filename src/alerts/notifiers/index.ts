/**
 * Sends a run's alert events to the notifiers croncd.yaml configures: one message per notifier per
 * run, holding the events that pass its filters, so a run that breaks three stacks posts one
 * message, not three. Notifiers are independent: they are sent side by side, and one that fails
 * does not hold up the others.
 */
import { describeError } from "../../errors.js";
import type { Logger } from "../../report/logger.js";
import type { SecretMasker } from "../../report/mask.js";
import type { AlertEvent } from "../event.js";
import type { NotifierConfig } from "./config.js";
import { deliver } from "./deliver.js";
import { DEFAULT_RETRY, type RetryOptions } from "./retry.js";
import type { NotifierDelivery } from "./types.js";

export type { NotifierConfig } from "./config.js";
export type { RetryOptions } from "./retry.js";
export type { NotifierDelivery } from "./types.js";
export { DEFAULT_RETRY } from "./retry.js";

/** Per request: a chat service that has not answered in this long is not going to. */
export const DEFAULT_NOTIFIER_TIMEOUT_MS = 10_000;

export interface SendAlertOptions {
  notifiers: readonly NotifierConfig[];
  env: NodeJS.ProcessEnv;
  masker: SecretMasker;
  log: Logger;
  /** Per request (default DEFAULT_NOTIFIER_TIMEOUT_MS). */
  timeoutMs?: number;
  retry?: Partial<RetryOptions>;
}

/**
 * One delivery per notifier that had events to send, in croncd.yaml's order; a notifier whose
 * filters leave nothing is not listed. Never throws.
 */
export async function sendAlertEvents(
  events: readonly AlertEvent[],
  options: SendAlertOptions,
): Promise<NotifierDelivery[]> {
  if (events.length === 0 || options.notifiers.length === 0) return [];
  const { masker, log } = options;
  // The causes were masked when they were recorded; masking again costs little and covers any
  // secret learnt since.
  const masked = masker.maskValues(events) as AlertEvent[];
  const context = {
    env: options.env,
    masker,
    log,
    timeoutMs: options.timeoutMs ?? DEFAULT_NOTIFIER_TIMEOUT_MS,
    retry: { ...DEFAULT_RETRY, ...options.retry },
  };
  const deliveries = await Promise.all(
    options.notifiers.map(async (config) => {
      try {
        return await deliver(config, masked, context);
      } catch (error) {
        // deliver() reports its own failures; this is a bug's last line of defence.
        const message = masker.mask(`not sent: ${describeError(error)}`);
        log.warn(`alert notifier ${config.name}: ${message}`);
        return { notifier: config.name, events: masked.length, ok: false, error: message, attempts: 0 };
      }
    }),
  );
  return deliveries.filter((delivery) => delivery !== undefined);
}
