/**
 * A pull request's conversation comments through GitHub's REST API (pull requests are issues
 * there: `/issues/{number}/comments`), over the http port.
 */
import { HttpError, httpRequestOk, nextPageUrl, type HttpRequest } from "../ports/http.js";
import { VERSION } from "../version.js";
import type { GitHubPlace } from "./ci-context.js";
import type { CommentAuthor, CommentThread, PostedComment } from "./upsert.js";

/** GitHub refuses comment bodies longer than this. */
export const GITHUB_COMMENT_MAX_LENGTH = 65_536;

interface GitHubComment {
  id: number;
  body?: string;
  user?: { login: string; type?: string } | null;
}

export function gitHubThread(place: GitHubPlace, token: string, timeoutMs: number): CommentThread {
  const api = place.apiUrl.replace(/\/+$/, "");
  const call = (method: HttpRequest["method"], url: string, body?: unknown) =>
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
    });
  const toComment = (comment: GitHubComment): PostedComment => ({
    id: comment.id,
    body: comment.body ?? "",
    author: { id: comment.user?.login ?? "", bot: comment.user?.type === "Bot" },
  });
  const commentsUrl = `${api}/repos/${place.repository}/issues/${place.pullNumber}/comments`;
  return {
    description: `pull request #${place.pullNumber} of ${place.repository}`,
    maxBodyLength: GITHUB_COMMENT_MAX_LENGTH,
    async whoAmI(): Promise<CommentAuthor | undefined> {
      try {
        const user = (await call("GET", `${api}/user`)).json as { login: string; type?: string };
        return { id: user.login, bot: user.type === "Bot" };
      } catch (error) {
        // GITHUB_TOKEN is an app installation token: "Resource not accessible by integration".
        if (error instanceof HttpError && error.status === 403) return undefined;
        throw error;
      }
    },
    async list() {
      const comments: PostedComment[] = [];
      let url: string | undefined = `${commentsUrl}?per_page=100`;
      while (url) {
        const answer = await call("GET", url);
        comments.push(...((answer.json ?? []) as GitHubComment[]).map(toComment));
        url = nextPageUrl(answer.headers);
      }
      return comments;
    },
    async create(body) {
      return toComment((await call("POST", commentsUrl, { body })).json as GitHubComment);
    },
    async edit(id, body) {
      return toComment(
        (await call("PATCH", `${api}/repos/${place.repository}/issues/comments/${id}`, { body }))
          .json as GitHubComment,
      );
    },
  };
}
