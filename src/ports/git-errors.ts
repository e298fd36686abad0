/** How fetching a source failed, for the hint pull gives and the words it chooses. */
export type GitFailureKind =
  | "unknown-ref"
  /** No such repository, or not a git repository (a wrong URL or path). */
  | "unreachable"
  /** No connection: refused, unknown host, timed out, or a proxy's 5xx (the server is away). */
  | "no-connection"
  | "stalled"
  | "auth"
  | "host-key"
  | "other";

export class GitFetchError extends Error {
  constructor(
    readonly kind: GitFailureKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "GitFetchError";
  }
}

/** A git command that went silent or could not start: no point in trying another way. */
export class GitStopped extends GitFetchError {}
