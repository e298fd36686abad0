/**
 * HTTP requests to web APIs (GitHub's REST API) through the global fetch. Every request is bounded
 * by a timeout, and every error names the method and the URL — never a header, so a token sent as
 * `Authorization` cannot reach a log through an error message.
 */

/** Long enough for a slow API on a busy runner, short enough that a hung one does not hold the job. */
export const DEFAULT_HTTP_TIMEOUT_MS = 30_000;

export interface HttpRequest {
  method: "GET" | "HEAD" | "POST" | "PATCH" | "PUT";
  url: string;
  headers?: Record<string, string>;
  /** Sent as JSON. */
  body?: unknown;
  /**
   * Sent verbatim instead of `body` (with the content type the caller sets): for a body whose
   * exact bytes were signed.
   */
  bodyText?: string;
  /**
   * How the URL is named in error messages. A webhook URL is a secret as a whole (its path is the
   * credential), so its sender names it by what it is for instead.
   */
  displayUrl?: string;
  timeoutMs?: number;
}

export interface HttpAnswer {
  status: number;
  headers: Headers;
  /** The parsed JSON body; undefined when the body was empty or not JSON. */
  json: unknown;
  /** The body as text (for error messages). */
  text: string;
}

/** A request that got no answer (refused, reset, timed out) or an answer that was not 2xx. */
export class HttpError extends Error {
  /** The HTTP status, or undefined when no answer came. */
  readonly status: number | undefined;
  readonly timedOut: boolean;

  constructor(message: string, options: { status?: number; timedOut?: boolean; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.name = "HttpError";
    this.status = options.status;
    this.timedOut = options.timedOut ?? false;
  }
}

/** Sends one request; resolves to any answer (callers decide which statuses they accept). */
export async function httpRequest(request: HttpRequest): Promise<HttpAnswer> {
  const timeoutMs = request.timeoutMs ?? DEFAULT_HTTP_TIMEOUT_MS;
  const subject = requestSubject(request);
  const body = request.bodyText ?? (request.body === undefined ? undefined : JSON.stringify(request.body));
  let response: Response;
  let text: string;
  try {
    response = await fetch(request.url, {
      method: request.method,
      headers: {
        ...(request.body === undefined ? {} : { "content-type": "application/json" }),
        ...request.headers,
      },
      ...(body === undefined ? {} : { body }),
      // Covers the whole exchange, body included: a server that sends headers and then stalls is hung too.
      signal: AbortSignal.timeout(timeoutMs),
    });
    text = await response.text();
  } catch (error) {
    const timedOut = error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
    if (timedOut) {
      throw new HttpError(`${subject}: no answer within ${timeoutMs / 1000}s`, { timedOut: true });
    }
    // fetch's own message is a bare "fetch failed"; the reason (ECONNREFUSED...) sits in `cause`.
    throw new HttpError(`${subject}: ${networkReason(error)}`, {});
  }
  return { status: response.status, headers: response.headers, json: parseJson(text), text };
}

/** Like httpRequest, but a status outside 2xx throws HttpError with the server's own message. */
export async function httpRequestOk(request: HttpRequest): Promise<HttpAnswer> {
  const answer = await httpRequest(request);
  if (answer.status >= 200 && answer.status < 300) return answer;
  throw refusal(request, answer);
}

/** The error for an answer outside 2xx, in the server's own words, for callers of httpRequest. */
export function refusal(request: HttpRequest, answer: HttpAnswer): HttpError {
  return new HttpError(`${requestSubject(request)} answered ${answer.status}: ${serverMessage(answer)}`, {
    status: answer.status,
  });
}

function requestSubject(request: HttpRequest): string {
  return `${request.method} ${request.displayUrl ?? withoutCredentials(request.url)}`;
}

/** The URL with any user:password part removed, for messages. */
export function withoutCredentials(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = "";
    parsed.password = "";
    return parsed.toString();
  } catch {
    return url;
  }
}

/** The `rel="next"` URL of a `Link` header (RFC 8288), as GitHub and GitLab paginate. */
export function nextPageUrl(headers: Headers): string | undefined {
  const link = headers.get("link");
  if (!link) return undefined;
  for (const part of link.split(",")) {
    const match = /<([^>]+)>\s*;\s*rel="?next"?/.exec(part.trim());
    if (match) return match[1];
  }
  return undefined;
}

function serverMessage(answer: HttpAnswer): string {
  const json = answer.json as { message?: unknown; error?: unknown } | undefined;
  const message = json?.message ?? json?.error;
  if (typeof message === "string" && message !== "") return message;
  const text = answer.text.trim().slice(0, 300);
  return text === "" ? "(empty answer)" : text;
}

function parseJson(text: string): unknown {
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function networkReason(error: unknown): string {
  const cause =
    error instanceof Error ? (error.cause as { code?: string; message?: string } | undefined) : undefined;
  if (cause?.code) return `could not connect (${cause.code})`;
  if (cause?.message) return cause.message;
  return error instanceof Error ? error.message : String(error);
}
