// GitHub's REST API, the part croncd uses: the token's own user, issue comments (a pull request's
// conversation too): list, create, edit; and issues themselves (github-issues.ts). Refusals as
// GitHub words them.
import { githubIssuesRoute } from "./github-issues.js";
import { answer, type ForgeAnswer, type ForgeRoute } from "./http-types.js";
import { paginate } from "./pages.js";
import { threadKey, type StoredComment } from "./store.js";

/** GitHub's limit on a comment's body. */
export const GITHUB_MAX_COMMENT_LENGTH = 65_536;

const LIST = /^\/repos\/([^/]+\/[^/]+)\/issues\/(\d+)\/comments$/;
const ONE = /^\/repos\/([^/]+\/[^/]+)\/issues\/comments\/(\d+)$/;
const NOT_FOUND = { message: "Not Found", documentation_url: "https://docs.github.com/rest" };
const INTEGRATION = { message: "Resource not accessible by integration", status: "403" };

export const githubRoute: ForgeRoute = (request, context) => {
  const { store, openThreads, maxPerPage } = context;
  const { caller } = request;
  if (!caller) return answer(401, { message: "Bad credentials" });
  if (request.method === "GET" && request.path === "/user") {
    if (caller.appInstallation) return answer(403, INTEGRATION);
    return answer(200, toUser(caller.user));
  }
  const issueAnswer = githubIssuesRoute(request, context);
  if (issueAnswer) return issueAnswer;
  const text = (request.body as { body?: unknown } | undefined)?.body;
  const list = LIST.exec(request.path);
  if (list) {
    const thread = threadKey.githubIssue(list[1] as string, Number(list[2]));
    if (!openThreads.has(thread)) return answer(404, NOT_FOUND);
    if (request.method === "GET") {
      const page = paginate(store.list(thread), request.url, maxPerPage);
      return answer(200, page.items.map(toComment), page.headers);
    }
    if (request.method !== "POST") return answer(404, NOT_FOUND);
    if (!caller.canWrite) return answer(403, INTEGRATION);
    return checkBody(text) ?? answer(201, toComment(store.add(thread, caller.user, text as string)));
  }
  const one = ONE.exec(request.path);
  if (one && request.method === "PATCH") {
    const found = store.find(Number(one[2]), threadKey.githubRepository(one[1] as string));
    if (!found) return answer(404, NOT_FOUND);
    if (!caller.canWrite || found.comment.author.id !== caller.user.id) return answer(403, INTEGRATION);
    return (
      checkBody(text) ??
      answer(200, toComment(store.edit(found.thread, found.comment.id, text as string) as StoredComment))
    );
  }
  return answer(404, NOT_FOUND);
};

function checkBody(text: unknown): ForgeAnswer | undefined {
  if (typeof text === "string" && text !== "" && text.length <= GITHUB_MAX_COMMENT_LENGTH) return undefined;
  const why =
    typeof text === "string" && text !== ""
      ? `body is too long (maximum is ${GITHUB_MAX_COMMENT_LENGTH} characters)`
      : "body wasn't supplied";
  return answer(422, {
    message: "Validation Failed",
    errors: [{ resource: "IssueComment", code: "custom", field: "body", message: why }],
  });
}

const toUser = (user: StoredComment["author"]) => ({
  login: user.login,
  id: user.id,
  type: user.bot ? "Bot" : "User",
});

const toComment = (comment: StoredComment) => ({
  id: comment.id,
  body: comment.body,
  user: toUser(comment.author),
  created_at: comment.createdAt,
  updated_at: comment.updatedAt,
});
