/**
 * One notifier's share of a run: its events (after its filters) as one message, sent with retries.
 * Whatever happens comes back as a NotifierDelivery; nothing is thrown, because a notifier that
 * fails must never change what was deployed nor hide the deployment's own result.
 */
import { describeError } from "../../errors.js";
import { httpRequest, refusal, type HttpRequest } from "../../ports/http.js";
import type { Logger } from "../../report/logger.js";
import type { SecretMasker } from "../../report/mask.js";
import type { AlertEvent } from "../event.js";
import type { NotifierConfig } from "./config.js";
import { eventsFor } from "./filter.js";
import { notifierFor } from "./registry.js";
import {
  isRetryableStatus,
  retryAfterMs,
  withRetries,
  type AttemptResult,
  type RetryOptions,
} from "./retry.js";
import type { NotifierDefinition, NotifierDelivery, OutgoingRequest } from "./types.js";
import { readEndpointUrl, readSecretVariable } from "./variables.js";

export interface DeliveryContext {
  env: NodeJS.ProcessEnv;
  masker: SecretMasker;
  log: Logger;
  /** Per request. */
  timeoutMs: number;
  retry: RetryOptions;
}

/** Undefined when the notifier's filters leave no event: nothing is sent, nothing to report. */
export async function deliver(
  config: NotifierConfig,
  events: readonly AlertEvent[],
  context: DeliveryContext,
): Promise<NotifierDelivery | undefined> {
  const matching = eventsFor(config, events);
  if (matching.length === 0) return undefined;
  const definition = notifierFor(config);
  const subject = `alert notifier ${config.name} (${definition.label})`;
  const { masker, log } = context;
  const outcome = (ok: boolean, attempts: number, error?: string): NotifierDelivery => ({
    notifier: config.name,
    events: matching.length,
    ok,
    attempts,
    ...(error === undefined ? {} : { error: masker.mask(error) }),
  });

  let request: OutgoingRequest;
  try {
    request = definition.request({
      events: matching,
      config,
      url: readEndpointUrl(context.env, config.urlEnv, masker),
      secret: (variable, form) => readSecretVariable(context.env, variable, masker, form),
    });
  } catch (error) {
    const delivery = outcome(false, 0, `not sent: ${describeError(error)}`);
    log.warn(`${subject}: ${delivery.error}`);
    return delivery;
  }

  const httpRequestFor: HttpRequest = {
    method: "POST",
    url: request.url,
    headers: request.headers,
    bodyText: request.bodyText,
    // The URL is the credential: messages name the variable it came from instead.
    displayUrl: `$${config.urlEnv}`,
    timeoutMs: context.timeoutMs,
  };
  const result = await withRetries(
    () => attempt(httpRequestFor, definition),
    context.retry,
    (error, attemptsMade, delayMs) =>
      log.info(`${subject}: attempt ${attemptsMade} failed (${error}); retrying in ${delayMs / 1000}s`),
  );
  const noun = matching.length === 1 ? "event" : "events";
  if (result.ok) {
    log.info(`${subject}: ${matching.length} ${noun} sent`);
    return outcome(true, result.attempts);
  }
  const tries = result.attempts === 1 ? "1 attempt" : `${result.attempts} attempts`;
  const delivery = outcome(false, result.attempts, `not delivered after ${tries}: ${result.error}`);
  log.warn(`${subject}: ${delivery.error}`);
  return delivery;
}

async function attempt(
  request: HttpRequest,
  definition: NotifierDefinition<NotifierConfig>,
): Promise<AttemptResult> {
  try {
    const answer = await httpRequest(request);
    if (answer.status < 200 || answer.status >= 300) {
      const retryAfter = retryAfterMs(answer.headers.get("retry-after"));
      return {
        delivered: false,
        error: refusal(request, answer).message,
        retryable: isRetryableStatus(answer.status),
        ...(retryAfter === undefined ? {} : { retryAfterMs: retryAfter }),
      };
    }
    const undelivered = definition.undelivered?.(answer);
    if (undelivered) return { delivered: false, error: undelivered, retryable: false };
    return { delivered: true };
  } catch (error) {
    // No answer at all (refused, reset, timed out): the next attempt may well get one.
    return { delivered: false, error: describeError(error), retryable: true };
  }
}
