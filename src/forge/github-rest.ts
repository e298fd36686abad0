/**
 * GitHub's REST API over the http port: the headers every request needs, and the token's own
 * account. Shared by the plan comment (pull request comments) and the issue alerts.
 */
import { HttpError, httpRequestOk, type HttpAnswer, type HttpRequest } from "../ports/http.js";
import { VERSION } from "../version.js";
import type { ForgeAuthor } from "./author.js";

export interface GitHubRest {
  /** The API root without a trailing slash, e.g. https://api.github.com */
  readonly api: string;
  /** One request; a status outside 2xx throws HttpError with GitHub's own message. */
  readonly call: (method: HttpRequest["method"], url: string, body?: unknown) => Promise<HttpAnswer>;
}

export interface GitHubUser {
  login: string;
  type?: string;
}

export function gitHubRest(apiUrl: string, token: string, timeoutMs: number): GitHubRest {
  return {
    api: apiUrl.replace(/\/+$/, ""),
    call: (method, url, body) =>
      httpRequestOk({
        method,
        url,
        timeoutMs,
        headers: {
          accept: "application/vnd.github+json",
          authorization: `Bearer ${token}`,
          "x-github-api-version": "2022-11-28",
          // GitHub rejects requests without a User-Agent.
          "user-agent": `croncd/${VERSION}`,
        },
        ...(body === undefined ? {} : { body }),
      }),
  };
}

export const gitHubAuthor = (user: GitHubUser | null | undefined): ForgeAuthor => ({
  id: user?.login ?? "",
  bot: user?.type === "Bot",
});

/** The token's account, or undefined when GitHub will not say (GITHUB_TOKEN is an app token). */
export async function gitHubWhoAmI(rest: GitHubRest): Promise<ForgeAuthor | undefined> {
  try {
    return gitHubAuthor((await rest.call("GET", `${rest.api}/user`)).json as GitHubUser);
  } catch (error) {
    // GITHUB_TOKEN is an app installation token: "Resource not accessible by integration".
    if (error instanceof HttpError && error.status === 403) return undefined;
    throw error;
  }
}
