/**
 * croncd's error hierarchy. Every error names its subject (a file, a stack, a source), the verb that
 * failed and the cause, so a person reading a CI log knows what broke and where. Errors become
 * `failed` ChangeSet entries; the exit code follows from the entries, never from message text.
 */
import type { SourceLocation } from "./model/changeset.js";

export interface CroncdErrorOptions {
  /** What the error is about: `stack web`, `compose.yaml:12`, `source platform`. */
  subject?: string;
  /** What to do about it, appended to the message. */
  hint?: string;
  /**
   * Where the cause sits (file relative to the source checkout, 1-based line), as data: the entry
   * reporting the error carries it, so CI annotations point there without parsing `subject`.
   */
  location?: SourceLocation;
  cause?: unknown;
}

export class CroncdError extends Error {
  readonly subject: string | undefined;
  readonly hint: string | undefined;
  /** Set where the error is made; see `locateError` for errors made where the file was not known. */
  location: SourceLocation | undefined;

  constructor(message: string, options: CroncdErrorOptions = {}) {
    const prefix = options.subject ? `${options.subject}: ` : "";
    const suffix = options.hint ? ` (${options.hint})` : "";
    super(`${prefix}${message}${suffix}`, { cause: options.cause });
    this.name = new.target.name;
    this.subject = options.subject;
    this.hint = options.hint;
    this.location = options.location;
  }
}

/** croncd.yaml or command-line input is wrong; nothing was touched. */
export class ConfigError extends CroncdError {}

/** A source could not be cloned or checked out. */
export class SourceError extends CroncdError {}

/**
 * The git server could not be reached (refused, unknown host, timed out, went silent): the source
 * is not wrong, it is away. Its own exit code, and alerted only after a grace period.
 */
export class SourceUnavailableError extends SourceError {}

/** A stack could not be rendered: YAML, interpolation, schema, file references. */
export class RenderError extends CroncdError {}

/** A secret could not be decrypted or verified (wrong key, tampered file, unknown format...). */
export class SecretError extends CroncdError {}

/** Talking to the deployment target (docker, helmfile) failed. */
export class TargetError extends CroncdError {}

/** The Docker daemon or the Kubernetes API could not be reached, or did not answer in time. */
export class TargetUnavailableError extends TargetError {}

/**
 * Exit codes: 0 all good, 1 something failed, 2 changes pending (plan) or drift (reconcile),
 * 3 a source or target could not be reached (and nothing failed). A failure wins over an
 * unreachable server (a person must fix it; waiting will not), which wins over drift.
 */
export const ExitCode = {
  ok: 0,
  failed: 1,
  changes: 2,
  unavailable: 3,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * Says where the cause sits, unless the error already knows better (a line): for code that reads a
 * file through a layer that names it only in message text (sops decryption, say). Returns the error.
 */
export function locateError(error: unknown, location: SourceLocation): unknown {
  if (error instanceof CroncdError && !error.location) error.location = location;
  return error;
}

/** Where the cause of `error` sits, when croncd knows it: from the error itself or one it wraps. */
export function locationOf(error: unknown): SourceLocation | undefined {
  // A bounded walk: causes are chains in practice, but nothing stops a cycle.
  let current: unknown = error;
  for (let depth = 0; depth < 8 && current instanceof Error; depth++) {
    if (current instanceof CroncdError && current.location) return current.location;
    current = current.cause;
  }
  return undefined;
}

/** Renders any thrown value as one line a person can read, keeping croncd's own messages intact. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
