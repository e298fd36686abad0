// The retry schedule: waits double from the first, a server's Retry-After lengthens a wait, and
// nothing waits longer than the cap (a CI job must not hang on a notifier).
import { describe, expect, it } from "vitest";
import {
  DEFAULT_RETRY,
  isRetryableStatus,
  retryAfterMs,
  withRetries,
  type AttemptResult,
} from "../../../../src/alerts/notifiers/retry.js";

/** Runs withRetries over scripted results; returns the outcome and the waits it announced. */
async function run(results: AttemptResult[], retry = { attempts: 4, initialDelayMs: 1, maxDelayMs: 3 }) {
  const waits: number[] = [];
  const script = [...results];
  const outcome = await withRetries(
    () => Promise.resolve(script.shift() ?? { delivered: true }),
    retry,
    (_error, _attempts, delayMs) => waits.push(delayMs),
  );
  return { outcome, waits };
}

const serverError: AttemptResult = { delivered: false, error: "answered 500", retryable: true };

describe("withRetries", () => {
  it("waits twice as long after each failure, up to the cap", async () => {
    const { outcome, waits } = await run([serverError, serverError, serverError, serverError]);
    expect(waits).toEqual([1, 2, 3]);
    expect(outcome).toEqual({ ok: false, attempts: 4, error: "answered 500" });
  });

  it("waits as long as the server's Retry-After asks, within the cap", async () => {
    const { waits } = await run([
      { ...serverError, retryAfterMs: 2 },
      { ...serverError, retryAfterMs: 60_000 },
    ]);
    expect(waits).toEqual([2, 3]);
  });

  it("stops at a final refusal", async () => {
    const { outcome, waits } = await run([{ delivered: false, error: "answered 404", retryable: false }]);
    expect(outcome).toEqual({ ok: false, attempts: 1, error: "answered 404" });
    expect(waits).toEqual([]);
  });

  it("defaults to three attempts, waiting 1 s and then 2 s", () => {
    expect(DEFAULT_RETRY).toMatchObject({ attempts: 3, initialDelayMs: 1000 });
  });
});

describe("what is worth retrying", () => {
  it("retries timeouts, rate limits and server errors, not other refusals", () => {
    expect([408, 429, 500, 502, 503].map(isRetryableStatus)).toEqual([true, true, true, true, true]);
    expect([400, 401, 403, 404, 410, 424].map(isRetryableStatus)).toEqual([
      false,
      false,
      false,
      false,
      false,
      false,
    ]);
  });

  it("reads Retry-After in seconds and ignores the date form", () => {
    expect(retryAfterMs("7")).toBe(7000);
    expect(retryAfterMs("Wed, 21 Oct 2015 07:28:00 GMT")).toBeUndefined();
    expect(retryAfterMs(null)).toBeUndefined();
  });
});
