/**
 * Calls through @gitbeaker/rest with errors a person can read and a log can keep: gitbeaker's own
 * errors carry the whole request (headers, so the token, included) in `cause`, so they are turned
 * into HttpErrors that name only the method, the URL and GitLab's answer. Shared by the plan
 * comment (merge request notes) and the issue alerts.
 */
import { GitbeakerRequestError, GitbeakerRetryError, GitbeakerTimeoutError, Users } from "@gitbeaker/rest";
import { HttpError } from "../ports/http.js";
import type { ForgeAuthor } from "./author.js";

/** What gitbeaker needs to reach a GitLab: `host` without `/api/v4`, the token, a per-request timeout. */
export interface GitLabClientOptions {
  host: string;
  token: string;
  queryTimeout: number;
}

export function gitLabClientOptions(apiUrl: string, token: string, timeoutMs: number): GitLabClientOptions {
  return { host: gitLabHost(apiUrl), token, queryTimeout: timeoutMs };
}

export const gitLabAuthor = (user: { id: number; bot?: boolean }): ForgeAuthor => ({
  id: String(user.id),
  bot: user.bot === true,
});

/** The token's own account (GitLab always says, for any valid token). */
export async function gitLabWhoAmI(apiUrl: string, options: GitLabClientOptions): Promise<ForgeAuthor> {
  const users = new Users(options);
  const user = (await gitLabCall("GET", `${apiUrl}/user`, () => users.showCurrentUser())) as {
    id: number;
    bot?: boolean;
  };
  return gitLabAuthor(user);
}

/** gitbeaker appends `/api/v4` to its host itself; CI_API_V4_URL already ends with it. */
export function gitLabHost(apiUrl: string): string {
  return apiUrl.replace(/\/+$/, "").replace(/\/api\/v4$/, "");
}

/** Runs one gitbeaker call; `method` and `url` only name it in the error. */
export async function gitLabCall<T>(method: string, url: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw toHttpError(method, url, error);
  }
}

function toHttpError(method: string, url: string, error: unknown): HttpError {
  const subject = `${method} ${url}`;
  if (error instanceof GitbeakerRequestError) {
    const status = error.cause?.response.status;
    return new HttpError(`${subject} answered ${status ?? "an error"}: ${error.message || "(no message)"}`, {
      ...(status === undefined ? {} : { status }),
    });
  }
  if (error instanceof GitbeakerTimeoutError || (error instanceof Error && error.name === "TimeoutError")) {
    return new HttpError(`${subject}: no answer in time`, { timedOut: true });
  }
  if (error instanceof GitbeakerRetryError)
    return new HttpError(`${subject}: ${error.message}`, { status: 502 });
  const cause = error instanceof Error ? (error.cause as { code?: string } | undefined) : undefined;
  const reason = cause?.code
    ? `could not connect (${cause.code})`
    : error instanceof Error
      ? error.message
      : String(error);
  return new HttpError(`${subject}: ${reason}`, {});
}
