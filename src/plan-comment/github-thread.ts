/**
 * A pull request's conversation comments through GitHub's REST API (pull requests are issues
 * there: `/issues/{number}/comments`), over the http port.
 */
import { gitHubAuthor, gitHubRest, gitHubWhoAmI, type GitHubUser } from "../forge/github-rest.js";
import { nextPageUrl } from "../ports/http.js";
import type { GitHubPlace } from "./ci-context.js";
import type { CommentThread, PostedComment } from "./upsert.js";

/** GitHub refuses comment bodies longer than this. */
export const GITHUB_COMMENT_MAX_LENGTH = 65_536;

interface GitHubComment {
  id: number;
  body?: string;
  user?: GitHubUser | null;
}

export function gitHubThread(place: GitHubPlace, token: string, timeoutMs: number): CommentThread {
  const rest = gitHubRest(place.apiUrl, token, timeoutMs);
  const { api, call } = rest;
  const toComment = (comment: GitHubComment): PostedComment => ({
    id: comment.id,
    body: comment.body ?? "",
    author: gitHubAuthor(comment.user),
  });
  const commentsUrl = `${api}/repos/${place.repository}/issues/${place.pullNumber}/comments`;
  return {
    description: `pull request #${place.pullNumber} of ${place.repository}`,
    maxBodyLength: GITHUB_COMMENT_MAX_LENGTH,
    whoAmI: () => gitHubWhoAmI(rest),
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
