// A small in-memory GitLab + GitHub API on 127.0.0.1 for tests: the endpoints croncd uses to keep
// one plan comment on a merge/pull request, and one alert issue per target. GitLab is served under
// /api/v4 (what CI_API_V4_URL points at), GitHub under /api/v3 (as GitHub Enterprise Server does).
//
// Tokens are registered per user, with what they may do; requests are recorded without them.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { githubRoute } from "./github.js";
import { gitlabRoute } from "./gitlab.js";
import type { Caller, ForgeAnswer, ForgeRequest } from "./http-types.js";
import { IssueStore, type IssuePlatform, type NewIssue, type StoredIssue } from "./issues.js";
import { CommentStore, threadKey, type ForgeUser, type StoredComment } from "./store.js";

export { threadKey, type ForgeUser, type StoredComment, type StoredIssue };

export interface RecordedRequest {
  platform: "gitlab" | "github" | "unknown";
  method: string;
  /** Path and query as sent. */
  path: string;
  status: number;
  /** The caller's login; undefined without a known token. Tokens are never kept. */
  user?: string;
  /** Every header name sent, lower case (to prove where a token travelled). */
  headerNames: string[];
}

export interface TokenGrant {
  user: ForgeUser;
  /** Default true. */
  canWrite?: boolean;
  /** GitHub App installation token (GITHUB_TOKEN). */
  appInstallation?: boolean;
}

export interface ForgeApiOptions {
  /** Page size cap: small values make clients prove they paginate. Default 100. */
  maxPerPage?: number;
}

export class ForgeApi {
  readonly store = new CommentStore();
  readonly requests: RecordedRequest[] = [];
  /** When set, every request gets this status (an outage: 500, 502, 503). */
  outage: number | undefined;
  private readonly tokens = new Map<string, Caller>();
  private readonly openThreads = new Set<string>();
  /** Issues, and (through openThreads) their comment threads. */
  readonly issueStore = new IssueStore((thread) => this.openThreads.add(thread));
  private readonly sockets = new Set<Socket>();
  private readonly server = createServer((req, res) => void this.handle(req, res));
  private baseUrl = "";

  private constructor(private readonly maxPerPage: number) {
    this.server.on("connection", (socket) => {
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
    });
  }

  static async start(options: ForgeApiOptions = {}): Promise<ForgeApi> {
    const api = new ForgeApi(options.maxPerPage ?? 100);
    await new Promise<void>((resolve) => api.server.listen(0, "127.0.0.1", resolve));
    api.baseUrl = `http://127.0.0.1:${(api.server.address() as AddressInfo).port}`;
    return api;
  }

  /** What CI_API_V4_URL holds in a GitLab job. */
  get gitlabApiUrl(): string {
    return `${this.baseUrl}/api/v4`;
  }

  /** What GITHUB_API_URL holds in a GitHub Actions job. */
  get githubApiUrl(): string {
    return `${this.baseUrl}/api/v3`;
  }

  grant(token: string, grant: TokenGrant): void {
    this.tokens.set(token, {
      user: grant.user,
      canWrite: grant.canWrite ?? true,
      appInstallation: grant.appInstallation ?? false,
    });
  }

  /** Makes a merge request exist (its notes can be listed and written). */
  openMergeRequest(project: string, iid: number): string {
    return this.open(threadKey.gitlabMergeRequest(project, iid));
  }

  openIssue(project: string, iid: number): string {
    return this.open(threadKey.gitlabIssue(project, iid));
  }

  /** Makes a GitHub pull request (or issue) exist. */
  openPullRequest(repository: string, number: number): string {
    return this.open(threadKey.githubIssue(repository, number));
  }

  /** A project's (GitLab) or repository's (GitHub) issues, oldest first, open and closed. */
  issues(platform: IssuePlatform, project: string): StoredIssue[] {
    return this.issueStore.list(platform, project);
  }

  /** An issue written by someone (or by croncd's account, earlier), as a test's precondition. */
  addIssue(platform: IssuePlatform, project: string, author: ForgeUser, issue: NewIssue): StoredIssue {
    return this.issueStore.create(platform, project, author, issue);
  }

  comments(thread: string): StoredComment[] {
    return this.store.list(thread);
  }

  /** A comment written by someone else, as a test's precondition. */
  addComment(
    thread: string,
    author: ForgeUser,
    body: string,
    options: { system?: boolean } = {},
  ): StoredComment {
    return this.store.add(thread, author, body, options.system ?? false);
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private open(thread: string): string {
    this.openThreads.add(thread);
    return thread;
  }

  private route(platform: RecordedRequest["platform"], request: ForgeRequest): ForgeAnswer {
    if (this.outage !== undefined) {
      return { status: this.outage, body: { message: `${this.outage} Service Unavailable` } };
    }
    const context = {
      store: this.store,
      issues: this.issueStore,
      openThreads: this.openThreads,
      maxPerPage: this.maxPerPage,
    };
    try {
      if (platform === "gitlab") return gitlabRoute(request, context);
      if (platform === "github") return githubRoute(request, context);
      return { status: 404, body: { message: "Not Found" } };
    } catch (error) {
      // A bug in the stand-in answers at once, instead of leaving the client to time out.
      return { status: 500, body: { message: `stand-in failed: ${String(error)}` } };
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", this.baseUrl);
    const text = await readBody(req);
    const token = tokenOf(req);
    const caller = token === undefined ? undefined : this.tokens.get(token);
    const [platform, path] = url.pathname.startsWith("/api/v4/")
      ? (["gitlab", url.pathname.slice("/api/v4".length)] as const)
      : url.pathname.startsWith("/api/v3/")
        ? (["github", url.pathname.slice("/api/v3".length)] as const)
        : (["unknown", url.pathname] as const);
    const request: ForgeRequest = { method: req.method ?? "GET", url, path, body: parseJson(text), caller };
    const result = this.route(platform, request);
    this.requests.push({
      platform,
      method: req.method ?? "GET",
      path: `${url.pathname}${url.search}`,
      status: result.status,
      ...(caller ? { user: caller.user.login } : {}),
      headerNames: Object.keys(req.headers),
    });
    res.writeHead(result.status, { "content-type": "application/json", ...result.headers });
    res.end(JSON.stringify(result.body));
  }
}

function parseJson(text: string): unknown {
  try {
    return text === "" ? undefined : (JSON.parse(text) as unknown);
  } catch {
    return undefined;
  }
}

/** GitLab: PRIVATE-TOKEN, JOB-TOKEN or Authorization: Bearer; GitHub: Authorization: Bearer/token. */
function tokenOf(req: IncomingMessage): string | undefined {
  const privateToken = req.headers["private-token"] ?? req.headers["job-token"];
  if (typeof privateToken === "string") return privateToken;
  const match = /^(?:Bearer|token)\s+(.+)$/i.exec(req.headers.authorization ?? "");
  return match?.[1];
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}
