// GitHub's repository issues, the part croncd's issue alerts use: list (by labels and state),
// create, update (body, close). An issue's comments are served by the comments route in github.ts.
import { answer, type ForgeAnswer, type ForgeRequest, type RouteContext } from "./http-types.js";
import { byCreation, withAllLabels, type StoredIssue } from "./issues.js";
import { paginate } from "./pages.js";

/** GitHub's limit on an issue body. */
export const GITHUB_MAX_BODY_LENGTH = 65_536;

const ISSUES = /^\/repos\/([^/]+\/[^/]+)\/issues(?:\/(\d+))?$/;
const NOT_FOUND = { message: "Not Found", documentation_url: "https://docs.github.com/rest" };
const INTEGRATION = { message: "Resource not accessible by integration", status: "403" };

/** Undefined when the request is not about issues themselves. */
export function githubIssuesRoute(
  request: ForgeRequest,
  { issues, maxPerPage }: RouteContext,
): ForgeAnswer | undefined {
  const match = ISSUES.exec(request.path);
  if (!match || !request.caller) return undefined;
  const repository = match[1] as string;
  const number = match[2] === undefined ? undefined : Number(match[2]);
  const body = (request.body ?? {}) as Record<string, unknown>;
  const toIssue = toGitHubIssue(request.url.origin);
  if (request.method !== "GET" && !request.caller.canWrite) return answer(403, INTEGRATION);

  if (number === undefined && request.method === "GET") {
    const state = request.url.searchParams.get("state") ?? "open";
    const matching = withAllLabels(
      issues.list("github", repository),
      request.url.searchParams.get("labels"),
    ).filter((issue) => state === "all" || state === issue.state);
    const sorted = byCreation(matching, request.url.searchParams.get("direction") === "asc");
    const page = paginate(sorted, request.url, maxPerPage);
    return answer(200, page.items.map(toIssue), page.headers);
  }
  if (number === undefined && request.method === "POST") {
    if (typeof body.title !== "string" || body.title === "") return invalid("title", "missing_field");
    if (typeof body.body === "string" && body.body.length > GITHUB_MAX_BODY_LENGTH)
      return invalid("body", "custom");
    const labels = Array.isArray(body.labels) ? body.labels.filter((label) => typeof label === "string") : [];
    const created = issues.create("github", repository, request.caller.user, {
      title: body.title,
      ...(typeof body.body === "string" ? { body: body.body } : {}),
      labels,
    });
    return answer(201, toIssue(created));
  }
  if (number !== undefined && request.method === "PATCH") {
    if (!issues.get("github", repository, number)) return answer(404, NOT_FOUND);
    if (typeof body.body === "string" && body.body.length > GITHUB_MAX_BODY_LENGTH)
      return invalid("body", "custom");
    const updated = issues.update("github", repository, number, {
      ...(typeof body.body === "string" ? { body: body.body } : {}),
      ...(typeof body.title === "string" ? { title: body.title } : {}),
      ...(body.state === "open" || body.state === "closed" ? { state: body.state } : {}),
      ...(typeof body.state_reason === "string" ? { stateReason: body.state_reason } : {}),
    });
    return answer(200, toIssue(updated as StoredIssue));
  }
  if (number !== undefined && request.method === "GET") {
    const issue = issues.get("github", repository, number);
    return issue ? answer(200, toIssue(issue)) : answer(404, NOT_FOUND);
  }
  return answer(404, NOT_FOUND);
}

function invalid(field: string, code: string): ForgeAnswer {
  return answer(422, { message: "Validation Failed", errors: [{ resource: "Issue", code, field }] });
}

const toGitHubIssue = (origin: string) => (issue: StoredIssue) => ({
  id: 90_000 + issue.number,
  number: issue.number,
  title: issue.title,
  body: issue.body,
  state: issue.state,
  state_reason: issue.stateReason ?? null,
  labels: issue.labels.map((name) => ({ name })),
  user: { login: issue.author.login, id: issue.author.id, type: issue.author.bot ? "Bot" : "User" },
  html_url: `${origin}/${issue.project}/issues/${issue.number}`,
});
