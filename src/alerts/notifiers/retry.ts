/**
 * Retrying a notification: a chat service's hiccup (a 502, a timeout, a rate limit) should not lose
 * an alert, but a refusal (a revoked webhook, a malformed message) will not get better by asking
 * again, and the CI job must not wait long for a notifier either way.
 */
import { setTimeout as sleep } from "node:timers/promises";

export interface RetryOptions {
  /** Requests in all, the first included. */
  attempts: number;
  /** The wait after the first failure; it doubles after each further one. */
  initialDelayMs: number;
  /** The longest wait, also for a server's Retry-After. */
  maxDelayMs: number;
}

/** 3 attempts, waiting 1 s then 2 s. */
export const DEFAULT_RETRY: RetryOptions = { attempts: 3, initialDelayMs: 1000, maxDelayMs: 30_000 };

export type AttemptResult =
  { delivered: true } | { delivered: false; error: string; retryable: boolean; retryAfterMs?: number };

export type RetriedResult = { ok: true; attempts: number } | { ok: false; attempts: number; error: string };

/** Server errors, timeouts and rate limits may pass; other 4xx answers are final. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/** Retry-After in seconds (the form Slack and most APIs send); an HTTP date is ignored. */
export function retryAfterMs(header: string | null): number | undefined {
  if (header === null || !/^\d+$/.test(header.trim())) return undefined;
  return Number(header.trim()) * 1000;
}

export async function withRetries(
  attempt: () => Promise<AttemptResult>,
  retry: RetryOptions,
  onRetry: (error: string, attemptsMade: number, delayMs: number) => void,
): Promise<RetriedResult> {
  let attemptsMade = 0;
  for (;;) {
    const result = await attempt();
    attemptsMade += 1;
    if (result.delivered) return { ok: true, attempts: attemptsMade };
    if (!result.retryable || attemptsMade >= retry.attempts) {
      return { ok: false, attempts: attemptsMade, error: result.error };
    }
    const backoff = retry.initialDelayMs * 2 ** (attemptsMade - 1);
    const delayMs = Math.min(Math.max(backoff, result.retryAfterMs ?? 0), retry.maxDelayMs);
    onRetry(result.error, attemptsMade, delayMs);
    await sleep(delayMs);
  }
}
