/**
 * A merge request's notes through @gitbeaker/rest. The token travels as the PRIVATE-TOKEN header;
 * gitbeaker's own errors carry the whole request (headers included) in `cause`, so they are turned
 * into HttpErrors that name only the method, the URL and GitLab's answer.
 */
import {
  GitbeakerRequestError,
  GitbeakerRetryError,
  GitbeakerTimeoutError,
  MergeRequestNotes,
  Users,
} from "@gitbeaker/rest";
import { HttpError } from "../ports/http.js";
import type { GitLabPlace } from "./ci-context.js";
import type { CommentAuthor, CommentThread, PostedComment } from "./upsert.js";

/** GitLab's limit on a note's body. */
export const GITLAB_NOTE_MAX_LENGTH = 1_000_000;

interface GitLabNote {
  id: number;
  body: string;
  system?: boolean;
  author: { id: number; bot?: boolean };
}

export function gitLabThread(place: GitLabPlace, token: string, timeoutMs: number): CommentThread {
  const options = { host: gitLabHost(place.apiUrl), token, queryTimeout: timeoutMs };
  const notes = new MergeRequestNotes(options);
  const users = new Users(options);
  const { projectId, mergeRequestIid: iid } = place;
  const toComment = (note: GitLabNote): PostedComment => ({
    id: note.id,
    body: note.body,
    author: { id: String(note.author.id), bot: note.author.bot === true },
  });
  return {
    description: `merge request !${iid} of project ${projectId}`,
    maxBodyLength: GITLAB_NOTE_MAX_LENGTH,
    async whoAmI(): Promise<CommentAuthor> {
      const user = (await translated("GET", `${place.apiUrl}/user`, () => users.showCurrentUser())) as {
        id: number;
        bot?: boolean;
      };
      return { id: String(user.id), bot: user.bot === true };
    },
    async list() {
      const url = `${place.apiUrl}/projects/${projectId}/merge_requests/${iid}/notes`;
      const all = (await translated("GET", url, () =>
        notes.all(projectId, iid, { sort: "asc", orderBy: "created_at", perPage: 100 }),
      )) as GitLabNote[];
      // System notes ("added 1 commit") are GitLab's own, never croncd's.
      return all.filter((note) => note.system !== true).map(toComment);
    },
    async create(body) {
      const url = `${place.apiUrl}/projects/${projectId}/merge_requests/${iid}/notes`;
      return toComment(await translated("POST", url, () => notes.create(projectId, iid, body)));
    },
    async edit(id, body) {
      const url = `${place.apiUrl}/projects/${projectId}/merge_requests/${iid}/notes/${id}`;
      return toComment(await translated("PUT", url, () => notes.edit(projectId, iid, id, { body })));
    },
  };
}

/** gitbeaker appends `/api/v4` to its host itself; CI_API_V4_URL already ends with it. */
export function gitLabHost(apiUrl: string): string {
  return apiUrl.replace(/\/+$/, "").replace(/\/api\/v4$/, "");
}

async function translated<T>(method: string, url: string, call: () => Promise<T>): Promise<T> {
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
