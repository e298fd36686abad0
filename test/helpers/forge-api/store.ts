// In-memory comment threads of the forge API stand-in: GitLab merge-request and issue notes, GitHub
// issue and pull-request comments. One store serves both platforms; ids are unique across threads
// (GitHub edits a comment by id alone).

export interface ForgeUser {
  id: number;
  login: string;
  /** Project/group access token users on GitLab, GitHub Apps (github-actions[bot]) on GitHub. */
  bot: boolean;
}

export interface StoredComment {
  id: number;
  body: string;
  author: ForgeUser;
  /** GitLab's own notes ("added 1 commit"). */
  system: boolean;
  createdAt: string;
  updatedAt: string;
}

/** Thread keys: where a comment sits. */
export const threadKey = {
  gitlabMergeRequest: (project: string, iid: number) => `gitlab/${project}/merge_requests/${iid}`,
  gitlabIssue: (project: string, iid: number) => `gitlab/${project}/issues/${iid}`,
  /** GitHub: pull requests are issues, their conversation comments are issue comments. */
  githubIssue: (repository: string, number: number) => `github/${repository}/issues/${number}`,
  /** Every thread of a GitHub repository (a comment is edited by id within its repository). */
  githubRepository: (repository: string) => `github/${repository}/`,
} as const;

export class CommentStore {
  private readonly threads = new Map<string, StoredComment[]>();
  private nextId = 1000;
  private clock = Date.parse("2026-01-01T00:00:00Z");

  /** Copies: what a test holds does not change when the thread does. */
  list(thread: string): StoredComment[] {
    return (this.threads.get(thread) ?? []).map((comment) => ({ ...comment }));
  }

  add(thread: string, author: ForgeUser, body: string, system = false): StoredComment {
    const now = this.tick();
    const comment = { id: this.nextId++, body, author, system, createdAt: now, updatedAt: now };
    this.threads.set(thread, [...(this.threads.get(thread) ?? []), comment]);
    return comment;
  }

  /** The comment and its thread; undefined when no thread holds that id. */
  find(id: number, threadPrefix: string): { thread: string; comment: StoredComment } | undefined {
    for (const [thread, comments] of this.threads) {
      if (!thread.startsWith(threadPrefix)) continue;
      const comment = comments.find((candidate) => candidate.id === id);
      if (comment) return { thread, comment: { ...comment } };
    }
    return undefined;
  }

  edit(thread: string, id: number, body: string): StoredComment | undefined {
    const comment = this.threads.get(thread)?.find((candidate) => candidate.id === id);
    if (!comment) return undefined;
    comment.body = body;
    comment.updatedAt = this.tick();
    return { ...comment };
  }

  /** Distinct timestamps, so "created" and "updated" can be told apart without real time passing. */
  private tick(): string {
    this.clock += 1000;
    return new Date(this.clock).toISOString();
  }
}
