// A real git "smart HTTP" server for tests: git's own `git http-backend` run as a CGI program behind a
// small Node HTTP server that demands HTTP Basic auth with a token, as GitLab and GitHub do.
import { spawn } from "node:child_process";
import type { ChildProcessByStdio } from "node:child_process";
import { createHash, timingSafeEqual } from "node:crypto";
import { createServer } from "node:http";
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Readable, Writable } from "node:stream";
import { createGunzip } from "node:zlib";

export interface GitServerOptions {
  /** Directory holding the bare repositories (GIT_PROJECT_ROOT). */
  root: string;
  /** The password every request must carry in HTTP Basic auth. */
  token: string;
  /** If given, the Basic auth user name must be exactly this; otherwise any user name is accepted. */
  username?: string;
}

/** One request the server saw. The credentials themselves are never recorded. */
export interface GitRequestRecord {
  method: string;
  /** URL path, e.g. `/app.git/info/refs`. */
  path: string;
  /** Query string without `?`, e.g. `service=git-upload-pack`. */
  query: string;
  /** Whether the request carried the right credentials. */
  authorized: boolean;
  /** User name sent with Basic auth, if any. */
  username?: string;
  /** Whether the request body was gzip-compressed (git does this for larger fetch negotiations). */
  gzip: boolean;
  /** HTTP status sent back; set once the response is finished. */
  status?: number;
  /** What git http-backend wrote to stderr, if anything. */
  backendStderr?: string;
}

export interface GitServer {
  /** Base URL, `http://127.0.0.1:<port>`. */
  url: string;
  /** URL of the repository `name` (relative to `root`, e.g. `app.git`), without credentials. */
  repoUrl(name: string): string;
  /** Same URL with Basic auth credentials in it (the server's token and user name unless given). */
  repoUrlWithCredentials(name: string, credentials?: { username?: string; token?: string }): string;
  /** Every request so far, in arrival order. */
  readonly requests: readonly GitRequestRecord[];
  stop(): Promise<void>;
}

const REALM = "croncd-test";
// Applied to every repository served, however it was created: fetching a commit by SHA (shallow or
// not) needs the SHA1-in-want settings with protocol v0, and croncd may use partial clones.
const SERVED_REPO_CONFIG: [string, string][] = [
  ["uploadpack.allowReachableSHA1InWant", "true"],
  ["uploadpack.allowAnySHA1InWant", "true"],
  ["uploadpack.allowFilter", "true"],
];

export async function startGitServer(options: GitServerOptions): Promise<GitServer> {
  const requests: GitRequestRecord[] = [];
  const running = new Set<ChildProcessByStdio<Writable, Readable, Readable>>();
  const tokenDigest = digest(options.token);

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const credentials = parseBasicAuth(req.headers.authorization);
    const authorized =
      credentials !== undefined &&
      timingSafeEqual(digest(credentials.password), tokenDigest) &&
      (options.username === undefined || credentials.username === options.username);
    const encoding = (req.headers["content-encoding"] ?? "").toLowerCase();
    const record: GitRequestRecord = {
      method: req.method ?? "GET",
      path: url.pathname,
      query: url.search.replace(/^\?/, ""),
      authorized,
      gzip: encoding === "gzip" || encoding === "x-gzip",
    };
    if (credentials !== undefined) record.username = credentials.username;
    requests.push(record);
    res.once("finish", () => {
      record.status = res.statusCode;
    });

    if (!authorized || credentials === undefined) {
      // Drain the body so the connection can be reused for the retry with credentials.
      req.resume();
      res.writeHead(401, {
        "WWW-Authenticate": `Basic realm="${REALM}"`,
        "Content-Type": "text/plain; charset=utf-8",
      });
      res.end("Authentication required\n");
      return;
    }
    runBackend(req, res, url, credentials.username, record, options.root, running);
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  // A forgotten or orphaned server (e.g. the test run was interrupted) must not keep a worker alive;
  // while a test awaits a git command, that command's process keeps the loop running anyway.
  server.unref();
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  const repoPath = (name: string): string =>
    name
      .split("/")
      .filter((part) => part !== "")
      .map(encodeURIComponent)
      .join("/");

  return {
    url,
    repoUrl: (name) => `${url}/${repoPath(name)}`,
    repoUrlWithCredentials: (name, credentials = {}) => {
      const username = encodeURIComponent(credentials.username ?? options.username ?? "croncd");
      const token = encodeURIComponent(credentials.token ?? options.token);
      return `http://${username}:${token}@127.0.0.1:${port}/${repoPath(name)}`;
    },
    requests,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        for (const child of running) child.kill("SIGKILL");
        server.close((error) => (error ? reject(error) : resolve()));
        // Keep-alive connections from git clients would otherwise hold close() open.
        server.closeAllConnections();
      }),
  };
}

/** Runs `git http-backend` for one authorized request (CGI/1.1: request in env + stdin, response on stdout). */
function runBackend(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  username: string,
  record: GitRequestRecord,
  root: string,
  running: Set<ChildProcessByStdio<Writable, Readable, Readable>>,
): void {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    // Only what the request and the served repositories say counts, not the machine's git config.
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_GLOBAL: "/dev/null",
    GIT_CONFIG_COUNT: String(SERVED_REPO_CONFIG.length),
    GIT_PROJECT_ROOT: root,
    GIT_HTTP_EXPORT_ALL: "1",
    GATEWAY_INTERFACE: "CGI/1.1",
    SERVER_PROTOCOL: `HTTP/${req.httpVersion}`,
    SERVER_SOFTWARE: "croncd-test-git-server",
    REQUEST_METHOD: req.method ?? "GET",
    // http-backend maps PATH_INFO below GIT_PROJECT_ROOT and refuses `..` itself.
    PATH_INFO: safeDecode(url.pathname),
    QUERY_STRING: url.search.replace(/^\?/, ""),
    CONTENT_TYPE: req.headers["content-type"] ?? "",
    REMOTE_ADDR: req.socket.remoteAddress ?? "127.0.0.1",
    // A non-empty REMOTE_USER also enables pushes (receive-pack) for authenticated requests.
    REMOTE_USER: username === "" ? "token" : username,
  };
  SERVED_REPO_CONFIG.forEach(([key, value], index) => {
    env[`GIT_CONFIG_KEY_${index}`] = key;
    env[`GIT_CONFIG_VALUE_${index}`] = value;
  });
  const gitProtocol = req.headers["git-protocol"];
  if (typeof gitProtocol === "string") env.HTTP_GIT_PROTOCOL = gitProtocol;
  // A gzip body is inflated here, so its length is unknown: without CONTENT_LENGTH http-backend reads
  // to end of input (as for chunked requests).
  const contentLength = req.headers["content-length"];
  if (!record.gzip && contentLength !== undefined) env.CONTENT_LENGTH = contentLength;

  const child = spawn("git", ["http-backend"], { env, stdio: ["pipe", "pipe", "pipe"] });
  running.add(child);
  child.once("close", () => running.delete(child));

  const stderr: Buffer[] = [];
  child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
  child.once("close", () => {
    const text = Buffer.concat(stderr).toString("utf8").trim();
    if (text !== "") record.backendStderr = text;
  });

  const fail = (status: number, message: string): void => {
    child.kill("SIGKILL");
    if (!res.headersSent) {
      res.writeHead(status, { "Content-Type": "text/plain; charset=utf-8" });
      res.end(`${message}\n`);
    } else {
      res.destroy();
    }
  };
  child.once("error", (error) => fail(500, `cannot run git http-backend: ${error.message}`));
  // http-backend may exit before reading all input (e.g. on errors): that is not our failure.
  child.stdin.on("error", () => undefined);

  if (record.gzip) {
    const gunzip = createGunzip();
    gunzip.once("error", (error) => fail(400, `bad gzip request body: ${error.message}`));
    req.pipe(gunzip).pipe(child.stdin);
  } else {
    req.pipe(child.stdin);
  }

  // The CGI response: header lines, a blank line, then the body, which is streamed through.
  let head = Buffer.alloc(0);
  const onData = (chunk: Buffer): void => {
    head = Buffer.concat([head, chunk]);
    const end = findHeaderEnd(head);
    if (end === undefined) return;
    child.stdout.off("data", onData);
    const { status, reason, headers } = parseCgiHeaders(head.subarray(0, end.index).toString("latin1"));
    if (reason === undefined) res.writeHead(status, headers);
    else res.writeHead(status, reason, headers);
    res.write(head.subarray(end.index + end.length));
    child.stdout.pipe(res);
  };
  child.stdout.on("data", onData);
  child.stdout.once("end", () => {
    if (!res.headersSent) {
      const detail = Buffer.concat(stderr).toString("utf8").trim();
      fail(502, `git http-backend sent no response${detail ? `: ${detail}` : ""}`);
    }
  });
  res.once("close", () => {
    // Client went away: no need to keep the backend running.
    if (child.exitCode === null) child.kill("SIGKILL");
  });
}

function findHeaderEnd(buffer: Buffer): { index: number; length: number } | undefined {
  const crlf = buffer.indexOf("\r\n\r\n");
  const lf = buffer.indexOf("\n\n");
  if (crlf === -1 && lf === -1) return undefined;
  if (lf === -1 || (crlf !== -1 && crlf < lf)) return { index: crlf, length: 4 };
  return { index: lf, length: 2 };
}

function parseCgiHeaders(text: string): { status: number; reason?: string; headers: OutgoingHttpHeaders } {
  let status = 200;
  let reason: string | undefined;
  const headers: Record<string, string | string[]> = {};
  for (const line of text.split(/\r?\n/)) {
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (name.toLowerCase() === "status") {
      // "Status: 404 Not Found"
      const match = /^(\d{3})\s*(.*)$/.exec(value);
      if (match?.[1]) {
        status = Number(match[1]);
        reason = match[2] || undefined;
      }
      continue;
    }
    const existing = headers[name];
    if (existing === undefined) headers[name] = value;
    else headers[name] = Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  return reason === undefined ? { status, headers } : { status, reason, headers };
}

function parseBasicAuth(header: string | undefined): { username: string; password: string } | undefined {
  const match = header === undefined ? null : /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon === -1) return undefined;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

// Comparing fixed-size digests keeps the comparison constant-time whatever the lengths.
function digest(value: string): Buffer {
  return createHash("sha256").update(value, "utf8").digest();
}

function safeDecode(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}
