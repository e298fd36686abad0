// GitLab's project issues, the part croncd's issue alerts use: list (by labels and state), create,
// edit (description, close). An issue's notes are served by the notes route in gitlab.ts.
import { answer, type ForgeAnswer, type ForgeRequest, type RouteContext } from "./http-types.js";
import { byCreation, withAllLabels, type StoredIssue } from "./issues.js";
import { paginate } from "./pages.js";

/** GitLab's limit on an issue description. */
export const GITLAB_MAX_DESCRIPTION_LENGTH = 1_048_576;

const ISSUES = /^\/projects\/([^/]+)\/issues(?:\/(\d+))?$/;

/** Undefined when the request is not about issues themselves. */
export function gitlabIssuesRoute(
  request: ForgeRequest,
  { issues, maxPerPage }: RouteContext,
): ForgeAnswer | undefined {
  const match = ISSUES.exec(request.path);
  if (!match || !request.caller) return undefined;
  const project = decodeURIComponent(match[1] as string);
  const iid = match[2] === undefined ? undefined : Number(match[2]);
  const body = (request.body ?? {}) as Record<string, unknown>;
  const toIssue = toGitLabIssue(request.url.origin);
  if (request.method !== "GET" && !request.caller.canWrite) return answer(403, { message: "403 Forbidden" });

  if (iid === undefined && request.method === "GET") {
    const state = request.url.searchParams.get("state") ?? "all";
    const matching = withAllLabels(
      issues.list("gitlab", project),
      request.url.searchParams.get("labels"),
    ).filter((issue) => state === "all" || (state === "opened") === (issue.state === "open"));
    const sorted = byCreation(matching, request.url.searchParams.get("sort") === "asc");
    const page = paginate(sorted, request.url, maxPerPage);
    return answer(200, page.items.map(toIssue), page.headers);
  }
  if (iid === undefined && request.method === "POST") {
    if (typeof body.title !== "string" || body.title === "")
      return answer(400, { error: "title is missing" });
    const invalid = checkDescription(body.description);
    if (invalid) return invalid;
    const labels =
      typeof body.labels === "string" ? body.labels.split(",").filter((label) => label !== "") : [];
    const created = issues.create("gitlab", project, request.caller.user, {
      title: body.title,
      ...(typeof body.description === "string" ? { body: body.description } : {}),
      labels,
    });
    return answer(201, toIssue(created));
  }
  if (iid !== undefined && request.method === "PUT") {
    if (!issues.get("gitlab", project, iid)) return answer(404, { message: "404 Not found" });
    const invalid = checkDescription(body.description);
    if (invalid) return invalid;
    const stateEvent = body.state_event;
    const updated = issues.update("gitlab", project, iid, {
      ...(typeof body.description === "string" ? { body: body.description } : {}),
      ...(typeof body.title === "string" ? { title: body.title } : {}),
      ...(stateEvent === "close" ? { state: "closed" as const } : {}),
      ...(stateEvent === "reopen" ? { state: "open" as const } : {}),
    });
    return answer(200, toIssue(updated as StoredIssue));
  }
  if (iid !== undefined && request.method === "GET") {
    const issue = issues.get("gitlab", project, iid);
    return issue ? answer(200, toIssue(issue)) : answer(404, { message: "404 Not found" });
  }
  return answer(405, { message: "405 Method Not Allowed" });
}

function checkDescription(description: unknown): ForgeAnswer | undefined {
  if (typeof description === "string" && description.length > GITLAB_MAX_DESCRIPTION_LENGTH) {
    return answer(400, {
      message: { description: [`is too long (maximum is ${GITLAB_MAX_DESCRIPTION_LENGTH} characters)`] },
    });
  }
  return undefined;
}

const toGitLabIssue = (origin: string) => (issue: StoredIssue) => ({
  id: 50_000 + issue.number,
  iid: issue.number,
  project_id: issue.project,
  title: issue.title,
  description: issue.body,
  state: issue.state === "open" ? "opened" : "closed",
  labels: issue.labels,
  author: { id: issue.author.id, username: issue.author.login, name: issue.author.login },
  web_url: `${origin}/${issue.project}/-/issues/${issue.number}`,
});
