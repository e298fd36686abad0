// GitLab's REST API v4, the part croncd uses: the token's own user, the notes of merge requests
// and issues (list, create, edit), and issues themselves (gitlab-issues.ts). Shapes and refusals follow GitLab's: `{"message": "403 Forbidden"}`.
import { gitlabIssuesRoute } from "./gitlab-issues.js";
import { answer, type ForgeAnswer, type ForgeRoute } from "./http-types.js";
import { paginate } from "./pages.js";
import { threadKey, type StoredComment } from "./store.js";

/** GitLab's limit on a note's body. */
export const GITLAB_MAX_NOTE_LENGTH = 1_000_000;

const NOTES = /^\/projects\/([^/]+)\/(merge_requests|issues)\/(\d+)\/notes(?:\/(\d+))?$/;

export const gitlabRoute: ForgeRoute = (request, context) => {
  const { store, openThreads, maxPerPage } = context;
  const { caller } = request;
  if (!caller) return answer(401, { message: "401 Unauthorized" });
  const issueAnswer = gitlabIssuesRoute(request, context);
  if (issueAnswer) return issueAnswer;
  if (request.method === "GET" && request.path === "/user") {
    return answer(200, {
      id: caller.user.id,
      username: caller.user.login,
      name: caller.user.login,
      bot: caller.user.bot,
    });
  }
  const match = NOTES.exec(request.path);
  if (!match) return answer(404, { error: "404 Not Found" });
  const [, project, kind, iid, noteId] = match as unknown as [
    string,
    string,
    string,
    string,
    string | undefined,
  ];
  const projectId = decodeURIComponent(project);
  const thread =
    kind === "merge_requests"
      ? threadKey.gitlabMergeRequest(projectId, Number(iid))
      : threadKey.gitlabIssue(projectId, Number(iid));
  if (!openThreads.has(thread)) return answer(404, { message: "404 Not found" });
  const write = request.method !== "GET";
  if (write && !caller.canWrite) return answer(403, { message: "403 Forbidden" });
  const text = (request.body as { body?: unknown } | undefined)?.body;

  if (noteId === undefined && request.method === "GET") {
    const page = paginate(store.list(thread), request.url, maxPerPage);
    return answer(200, page.items.map(toNote(projectId, Number(iid))), page.headers);
  }
  if (noteId === undefined && request.method === "POST") {
    const invalid = checkBody(text);
    if (invalid) return invalid;
    return answer(201, toNote(projectId, Number(iid))(store.add(thread, caller.user, text as string)));
  }
  if (noteId !== undefined && request.method === "PUT") {
    const found = store.list(thread).find((note) => note.id === Number(noteId));
    if (!found) return answer(404, { message: "404 Note Not Found" });
    // Only the author edits a note (admins aside).
    if (found.author.id !== caller.user.id) return answer(403, { message: "403 Forbidden" });
    const invalid = checkBody(text);
    if (invalid) return invalid;
    return answer(
      200,
      toNote(projectId, Number(iid))(store.edit(thread, found.id, text as string) as StoredComment),
    );
  }
  return answer(405, { message: "405 Method Not Allowed" });
};

function checkBody(text: unknown): ForgeAnswer | undefined {
  if (typeof text !== "string" || text === "") return answer(400, { message: { body: ["can't be blank"] } });
  if (text.length > GITLAB_MAX_NOTE_LENGTH) {
    return answer(400, {
      message: { note: [`is too long (maximum is ${GITLAB_MAX_NOTE_LENGTH} characters)`] },
    });
  }
  return undefined;
}

const toNote = (projectId: string, iid: number) => (note: StoredComment) => ({
  id: note.id,
  body: note.body,
  author: { id: note.author.id, username: note.author.login, name: note.author.login },
  system: note.system,
  created_at: note.createdAt,
  updated_at: note.updatedAt,
  noteable_iid: iid,
  project_id: projectId,
});
