/**
 * A failure's identity for alerting: the same failure seen on two runs must give the same
 * fingerprint, so croncd alerts on a change of state and not on every run. The cause text is kept
 * only after the parts that change between identical failures are replaced: timestamps, durations,
 * Docker object ids, process ids and progress counts (Flux users' first complaint about repeated
 * alerts was a timestamp in the message).
 */
import { sha256Hex, canonicalJson } from "../util/hash.js";

export interface FailureIdentity {
  target: string;
  /** `stack`, `release`, `source`, `target`, `run`. */
  kind: string;
  name: string;
  /** A coarse class of cause (e.g. the error's class or the entry's reason prefix). */
  causeClass: string;
  /** The cause as reported (already masked). */
  cause: string;
  /** The source commit the failure was seen at, when known. */
  commit?: string;
}

const VOLATILE: ReadonlyArray<readonly [RegExp, string]> = [
  // RFC 3339 / ISO 8601 timestamps, with or without fraction and zone; also "2026-12-05 05:24:48".
  [/\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?\b/g, "<time>"],
  // Go and human durations: 1m30.5s, 2.0s, 350ms, 5 s, 12 seconds, 3 minutes.
  [/\b(?:\d+(?:\.\d+)?(?:h|m(?!b)|s|ms|µs|us|ns))+\b/gi, "<duration>"],
  [/\b\d+(?:\.\d+)?\s*(?:milliseconds?|seconds?|secs?|minutes?|mins?|hours?)\b/gi, "<duration>"],
  // croncd's own temporary folders (mkdtemp: "croncd-" and six random characters), wherever TMPDIR is.
  [/(?:\/[^\s/"'`]+)*\/croncd-[A-Za-z0-9]{6}(?=[/\s"'`]|$)/g, "<workspace>"],
  // Docker object ids: 64 or 12 hex digits (containers, images), 25 base-36 characters (tasks, services).
  [/\b[0-9a-f]{64}\b/g, "<id>"],
  [/\bsha256:<id>/g, "<id>"],
  [/\b(?=[a-z0-9]{25}\b)(?=[a-z]*\d)[a-z0-9]{25}\b/g, "<id>"],
  [/\b(?=[0-9a-f]{12}\b)(?=[a-f]*\d)[0-9a-f]{12}\b/g, "<id>"],
  // Process ids and progress counts ("pid 4121", "1/3 running", "attempt 2 of 5", "3 times").
  [/\bpid[ =:]?\d+\b/gi, "pid <n>"],
  [/\b\d+\/\d+\b/g, "<n>/<n>"],
  [/\battempt \d+(?: of \d+)?\b/gi, "attempt <n>"],
  // A crash loop's count grows from run to run: "failed 3 times since the deploy".
  [/\b\d+ times\b/gi, "<n> times"],
];

/** The cause text with its volatile parts replaced; what a person reads in an alert. */
export function stableCause(cause: string): string {
  let text = cause;
  for (const [pattern, replacement] of VOLATILE) text = text.replace(pattern, replacement);
  return text.replace(/\s+/g, " ").trim();
}

/** Equal for the same item failing the same way at the same commit; 16 hex digits are plenty here. */
export function failureFingerprint(failure: FailureIdentity): string {
  return sha256Hex(
    canonicalJson({
      target: failure.target,
      kind: failure.kind,
      name: failure.name,
      causeClass: failure.causeClass,
      cause: stableCause(failure.cause),
      commit: failure.commit ?? "",
    }),
  ).slice(0, 16);
}
