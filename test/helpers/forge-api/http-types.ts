// What a route of the forge API stand-in sees and answers.
import type { IssueStore } from "./issues.js";
import type { CommentStore, ForgeUser } from "./store.js";

export interface ForgeRequest {
  method: string;
  url: URL;
  /** The API path below the platform's prefix (`/projects/7/merge_requests/1/notes`). */
  path: string;
  /** The parsed JSON body, if any. */
  body: unknown;
  /** The caller, when it sent a known token. */
  caller: Caller | undefined;
}

export interface Caller {
  user: ForgeUser;
  /** False for a token that may read but not write (GitLab CI_JOB_TOKEN, a read-only GITHUB_TOKEN). */
  canWrite: boolean;
  /** GitHub App installation token (GITHUB_TOKEN): `GET /user` is refused for it. */
  appInstallation: boolean;
}

export interface ForgeAnswer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export const answer = (status: number, body: unknown, headers?: Record<string, string>): ForgeAnswer => ({
  status,
  body,
  ...(headers ? { headers } : {}),
});

/** What every route may use beside the request. */
export interface RouteContext {
  store: CommentStore;
  issues: IssueStore;
  /** Merge requests, issues and pull requests that exist (others answer 404). */
  openThreads: ReadonlySet<string>;
  maxPerPage: number;
}

export type ForgeRoute = (request: ForgeRequest, context: RouteContext) => ForgeAnswer;
