/**
 * A merge request's notes through @gitbeaker/rest. The token travels as the PRIVATE-TOKEN header;
 * errors name only the method, the URL and GitLab's answer (../forge/gitlab-call.ts).
 */
import { MergeRequestNotes } from "@gitbeaker/rest";
import { gitLabAuthor, gitLabCall, gitLabClientOptions, gitLabWhoAmI } from "../forge/gitlab-call.js";
import type { GitLabPlace } from "./ci-context.js";
import type { CommentThread, PostedComment } from "./upsert.js";

/** GitLab's limit on a note's body. */
export const GITLAB_NOTE_MAX_LENGTH = 1_000_000;

interface GitLabNote {
  id: number;
  body: string;
  system?: boolean;
  author: { id: number; bot?: boolean };
}

export function gitLabThread(place: GitLabPlace, token: string, timeoutMs: number): CommentThread {
  const options = gitLabClientOptions(place.apiUrl, token, timeoutMs);
  const notes = new MergeRequestNotes(options);
  const { projectId, mergeRequestIid: iid } = place;
  const toComment = (note: GitLabNote): PostedComment => ({
    id: note.id,
    body: note.body,
    author: gitLabAuthor(note.author),
  });
  return {
    description: `merge request !${iid} of project ${projectId}`,
    maxBodyLength: GITLAB_NOTE_MAX_LENGTH,
    whoAmI: () => gitLabWhoAmI(place.apiUrl, options),
    async list() {
      const url = `${place.apiUrl}/projects/${projectId}/merge_requests/${iid}/notes`;
      const all = (await gitLabCall("GET", url, () =>
        notes.all(projectId, iid, { sort: "asc", orderBy: "created_at", perPage: 100 }),
      )) as GitLabNote[];
      // System notes ("added 1 commit") are GitLab's own, never croncd's.
      return all.filter((note) => note.system !== true).map(toComment);
    },
    async create(body) {
      const url = `${place.apiUrl}/projects/${projectId}/merge_requests/${iid}/notes`;
      return toComment(await gitLabCall("POST", url, () => notes.create(projectId, iid, body)));
    },
    async edit(id, body) {
      const url = `${place.apiUrl}/projects/${projectId}/merge_requests/${iid}/notes/${id}`;
      return toComment(await gitLabCall("PUT", url, () => notes.edit(projectId, iid, id, { body })));
    },
  };
}
