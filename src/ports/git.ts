/**
 * The git port: fetches exactly one commit of a repository into an empty folder.
 *
 * Git runs two ways, on purpose. Commands that talk to a server (`fetch`, `submodule update`) go
 * through the process port: a server that accepts and never answers leaves git's transport helper
 * (git-remote-http, ssh) holding the pipes, and only stopping git's whole process group ends it,
 * which simple-git cannot do. Commands that only touch the local checkout (init, checkout,
 * rev-parse, ls-files) go through simple-git.
 *
 * Credentials never touch argv, logs or `.git/config`: an HTTPS token travels as an
 * `http.extraHeader` passed through git's GIT_CONFIG_* environment variables, an SSH key through
 * GIT_SSH_COMMAND. The remote URL written to `.git/config` is the one from croncd.yaml, which must
 * not embed credentials.
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { MASK } from "../report/mask.js";
import { simpleGit } from "simple-git";
import { runProgram } from "./exec.js";
import { GitFetchError, GitStopped, type GitFailureKind } from "./git-errors.js";
import { fetchSubmodules, submodulePaths, type Git } from "./git-submodules.js";

export { GitFetchError, type GitFailureKind } from "./git-errors.js";

export type GitAuth =
  | { kind: "token"; username: string; token: string }
  | { kind: "ssh"; keyFile: string; knownHostsFile?: string; acceptNewHostKey?: boolean };

export interface FetchCommitRequest {
  url: string;
  ref: string;
  dir: string;
  auth?: GitAuth;
  /** Stop a git command that received nothing for this long (default FETCH_STALL_MS). */
  stallTimeoutMs?: number;
  /** Fetch the commit's git submodules too (shallow, same auth, allowed transports only). */
  submodules?: boolean;
}

export interface FetchedCommit {
  commit: string;
  /** Paths of submodules the checkout has but did not fetch (their folders are empty). */
  unfetchedSubmodules: string[];
}

const FULL_SHA = /^[0-9a-f]{40}$/i;
/** How long a git command may receive nothing before it counts as stuck (a source's `stallTimeout`). */
export const FETCH_STALL_MS = 5 * 60_000;
const SHORT_SHA = /^[0-9a-f]{7,39}$/i;

/** Fetches `ref` (branch, tag or commit SHA) shallowly where possible, submodules if asked. */
export async function fetchCommit(request: FetchCommitRequest): Promise<FetchedCommit> {
  // Without a known_hosts file of the operator's, accept the host key on first use — into a
  // throwaway file, so a run never writes to the runner's own ~/.ssh/known_hosts.
  const scratch =
    request.auth?.kind === "ssh" && !request.auth.knownHostsFile
      ? await mkdtemp(path.join(os.tmpdir(), "croncd-known-hosts-"))
      : undefined;
  const auth: GitAuth | undefined =
    scratch && request.auth?.kind === "ssh"
      ? { ...request.auth, knownHostsFile: path.join(scratch, "known_hosts"), acceptNewHostKey: true }
      : request.auth;
  try {
    return await fetchInto({ ...request, ...(auth ? { auth } : {}) });
  } finally {
    if (scratch) await rm(scratch, { recursive: true, force: true });
  }
}

async function fetchInto(request: FetchCommitRequest): Promise<FetchedCommit> {
  const git = gitFor(request.dir, request.url, request.auth, {
    stallTimeoutMs: request.stallTimeoutMs ?? FETCH_STALL_MS,
    // Submodules may live anywhere on the source's server: the token goes to that server only.
    tokenScope: request.submodules ? originOf(request.url) : request.url,
  });
  const secrets = request.auth?.kind === "token" ? tokenForms(request.auth) : [];
  try {
    // No remote is configured: fetching from the URL itself saves a git call, and keeps the URL
    // out of .git/config.
    // Not --quiet: simple-git waits an extra 50 ms after a git process that printed nothing.
    await git(["init"]);
    await fetchRef(git, request.url, request.ref);
    await git(["-c", "advice.detachedHead=false", "checkout", "--detach", "FETCH_HEAD"]);
    const commit = (await git(["rev-parse", "HEAD"])).trim();
    if (request.submodules) await fetchSubmodules(git, request.url);
    return { commit, unfetchedSubmodules: request.submodules ? [] : await submodulePaths(git) };
  } catch (error) {
    if (error instanceof GitFetchError) throw error;
    throw classify(redact(messageOf(error), secrets), request.ref, error);
  }
}

/** Every branch, for the cases where a commit has to be looked up in the whole history. */
const ALL_BRANCHES = "+refs/heads/*:refs/remotes/origin/*";

async function fetchRef(git: Git, url: string, ref: string): Promise<void> {
  // --progress: git prints progress only to a terminal otherwise, and its output is what tells a
  // slow but moving fetch from a stuck one.
  const fetch = (...args: string[]) => git(["fetch", "--progress", "--no-tags", ...args]);
  if (FULL_SHA.test(ref)) {
    // Servers that allow fetching a reachable SHA (GitHub, GitLab, git ≥ 2.5 with v2) serve
    // one commit; older ones refuse, and then the whole history is the only way to it.
    try {
      await fetch("--depth", "1", url, ref);
      return;
    } catch (error) {
      if (error instanceof GitStopped) throw error;
      await fetch(url, ALL_BRANCHES);
      await assertCommitExists(git, ref);
      await git(["update-ref", "FETCH_HEAD", ref]);
      return;
    }
  }
  try {
    await fetch("--depth", "1", url, ref);
  } catch (error) {
    // A short SHA is not a ref name a server can resolve: fetch everything and look it up.
    if (!SHORT_SHA.test(ref) || classifyKind(messageOf(error)) !== "unknown-ref") throw error;
    await fetch(url, ALL_BRANCHES);
    const full = await assertCommitExists(git, ref);
    await git(["update-ref", "FETCH_HEAD", full]);
  }
}

async function assertCommitExists(git: Git, ref: string): Promise<string> {
  try {
    return (await git(["rev-parse", "--verify", "--quiet", `${ref}^{commit}`])).trim();
  } catch (error) {
    throw new GitFetchError("unknown-ref", `ref "${ref}" not found in the repository`, { cause: error });
  }
}

/**
 * The only variables git inherits from the runner: what it needs to find programs, reach the
 * server through a proxy and trust a corporate CA. Anything else (GIT_DIR, EDITOR, a credential
 * helper's settings...) could point git elsewhere or hand it credentials we did not choose.
 */
const INHERITED_VARIABLES = [
  "PATH",
  "HOME",
  "USER",
  "LANG",
  "LC_ALL",
  "TMPDIR",
  "HTTP_PROXY",
  "HTTPS_PROXY",
  "NO_PROXY",
  "http_proxy",
  "https_proxy",
  "no_proxy",
  "SSL_CERT_FILE",
  "SSL_CERT_DIR",
  "GIT_SSL_CAINFO",
  "GIT_SSL_CAPATH",
  "SSH_AUTH_SOCK",
];

interface GitSettings {
  stallTimeoutMs: number;
  /** The URL prefix the token is sent to (git's `http.<url>.*` matching). */
  tokenScope: string;
}

function gitFor(dir: string, url: string, auth: GitAuth | undefined, settings: GitSettings): Git {
  const { stallTimeoutMs } = settings;
  const env: Record<string, string> = Object.fromEntries(
    INHERITED_VARIABLES.flatMap((name) =>
      process.env[name] === undefined ? [] : [[name, process.env[name]]],
    ),
  );
  // A CI job has nobody to answer a password prompt: fail at once instead of hanging.
  env.GIT_TERMINAL_PROMPT = "0";
  // The runner's own git configuration (credential helpers, url.insteadOf rewrites, template
  // hooks) must not take part: croncd says everything git needs on its own.
  env.GIT_CONFIG_GLOBAL = "/dev/null";
  env.GIT_CONFIG_NOSYSTEM = "1";
  if (auth?.kind === "token") {
    const basic = basicCredentials(auth);
    Object.assign(env, {
      GIT_CONFIG_COUNT: "1",
      // Scoped to the source's URL (its server, with submodules): a redirect to another host
      // does not receive the token.
      GIT_CONFIG_KEY_0: `http.${settings.tokenScope}.extraHeader`,
      GIT_CONFIG_VALUE_0: `Authorization: Basic ${basic}`,
    });
  }
  if (auth?.kind === "ssh") {
    const checking = auth.acceptNewHostKey ? "accept-new" : "yes";
    const knownHosts = auth.knownHostsFile
      ? `-o UserKnownHostsFile=${shellQuote(auth.knownHostsFile)} -o StrictHostKeyChecking=${checking}`
      : "-o StrictHostKeyChecking=accept-new";
    env.GIT_SSH_COMMAND = `ssh -i ${shellQuote(auth.keyFile)} -o IdentitiesOnly=yes -o BatchMode=yes ${knownHosts}`;
  }
  const local = localGit(dir, env);
  return async (args) => {
    if (!SERVER_COMMANDS.has(commandOf(args))) return local(args);
    // A command that makes no progress for this long is stuck (a silent firewall, a server that
    // accepted the connection and never answers): better a clear failure than a CI job that runs
    // into its own time limit.
    const result = await runProgram("git", args, { cwd: dir, env, replaceEnv: true, stallTimeoutMs });
    if (result.notFound) throw gitMissing();
    if (result.stoppedBecause === "stalled") {
      throw new GitStopped(
        "stalled",
        `the git server sent nothing for ${stallTimeoutMs / 1000}s during git ${commandOf(args)} of ${url}: stopped waiting`,
      );
    }
    if (result.exitCode !== 0)
      throw new Error(result.stderr || `git ${commandOf(args)} failed with exit code ${result.exitCode}`);
    return result.stdout;
  };
}

/** The git commands that reach a server; every other one only reads or writes the checkout. */
const SERVER_COMMANDS = new Set(["fetch", "submodule update"]);

/** Local git commands through simple-git, with the same isolated environment as the fetch. */
function localGit(dir: string, env: Record<string, string>): Git {
  const git = simpleGit({
    baseDir: dir,
    // croncd sets these itself, to isolate git from the runner's configuration and to carry
    // credentials outside argv; nothing user-controlled reaches them.
    allowEnvironment: Object.keys(env).filter((name) => /^GIT_/i.test(name)),
    unsafe: { allowUnsafeConfigEnvCount: true, allowUnsafeSshCommand: true, allowUnsafeConfigPaths: true },
  }).env(env);
  return async (args) => {
    try {
      return await git.raw([...args]);
    } catch (error) {
      if (/spawn git ENOENT/.test(messageOf(error))) throw gitMissing();
      throw error;
    }
  };
}

function gitMissing(): GitStopped {
  return new GitStopped(
    "other",
    "the git program is not installed or not on PATH (install git in the CI image)",
  );
}

/** `fetch` of `git -c x=y fetch ...`. */
function commandOf(args: readonly string[]): string {
  const at = args.findIndex((arg, index) => !arg.startsWith("-") && args[index - 1] !== "-c");
  return args.slice(at, at + (args[at] === "submodule" ? 2 : 1)).join(" ");
}

/** `https://host:port/` of an http(s) URL; other URLs stay as they are (the header is http only). */
function originOf(url: string): string {
  return /^https?:\/\//i.test(url) ? `${new URL(url).origin}/` : url;
}

function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** The token, and the Basic header that carries it, in every form it could be echoed back. */
function tokenForms(auth: { username: string; token: string }): string[] {
  return [auth.token, basicCredentials(auth)].filter((form) => form.length > 0);
}

/** `user:token` in base64, as an HTTP Basic Authorization header carries it. */
function basicCredentials(auth: { username: string; token: string }): string {
  return Buffer.from(`${auth.username}:${auth.token}`).toString("base64");
}

function redact(message: string, secrets: string[]): string {
  return secrets.reduce((text, secret) => text.split(secret).join(MASK), message);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function classifyKind(message: string): GitFailureKind {
  // Before "auth": a changed or unknown host key also ends in "Could not read from remote".
  if (
    /Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED|host key is known for .* you have requested strict checking/i.test(
      message,
    )
  )
    return "host-key";
  if (
    /couldn't find remote ref|not our ref|no such remote ref|Remote branch .* not found|unadvertised object/i.test(
      message,
    )
  )
    return "unknown-ref";
  if (
    /Authentication failed|could not read Username|returned error: 40[13]|Permission denied \(publickey|terminal prompts disabled|HTTP Basic: Access denied|invalid credentials/i.test(
      message,
    )
  )
    return "auth";
  // Before "unreachable": git wraps these in "unable to access", which also covers a wrong URL.
  if (
    /Could not resolve host|Connection refused|Failed to connect|Connection timed out|Name or service not known|Temporary failure in name resolution|No route to host|Network is unreachable|returned error: 5\d\d/i.test(
      message,
    )
  )
    return "no-connection";
  if (
    /does not appear to be a git repository|not a git repository|repository .* not found|No such file or directory|returned error: 404|unable to access/i.test(
      message,
    )
  )
    return "unreachable";
  return "other";
}

function classify(message: string, ref: string, cause: unknown): GitFetchError {
  const kind = classifyKind(message);
  const detail = lastMeaningfulLine(message);
  switch (kind) {
    case "unknown-ref":
      return new GitFetchError(kind, `ref "${ref}" not found (no such branch, tag or commit): ${detail}`, {
        cause,
      });
    case "auth":
      return new GitFetchError(kind, `authentication failed: ${detail}`, { cause });
    case "host-key": {
      const line = message
        .split("\n")
        .map((text) => text.trim())
        .find((text) => /^(Host key for .* has changed|No \S+ host key is known for )/.test(text));
      return new GitFetchError(kind, `host key verification failed: ${line ?? detail}`, { cause });
    }
    case "unreachable":
      return new GitFetchError(kind, `repository unreachable: ${detail}`, { cause });
    case "no-connection":
      return new GitFetchError(kind, `git server unreachable: ${detail}`, { cause });
    default:
      return new GitFetchError(kind, detail, { cause });
  }
}

/** git's own last words (fatal: ...) are the part worth showing. */
function lastMeaningfulLine(message: string): string {
  const lines = message
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line.length > 0 && !line.startsWith("hint:"));
  return lines.find((line) => line.startsWith("fatal:")) ?? lines.at(-1) ?? message;
}
