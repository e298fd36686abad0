/**
 * Stage 1, pull: fetches every source at its ref into the workspace, in parallel. A failed source
 * is reported, never thrown, so the run can still say what happened to everything else — and so
 * the prune stage can see that the desired state is incomplete.
 */
import { accessSync, constants, statSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import type { SourceConfig } from "../config/schema.js";
import { describeError, SourceError, SourceUnavailableError } from "../errors.js";
import { fetchCommit, GitFetchError, type GitAuth } from "../ports/git.js";
import type { Workspace } from "./workspace.js";

export interface PulledSource {
  name: string;
  /** The URL (local paths made absolute); safe to show, since credentials are refused in URLs. */
  url: string;
  ref: string;
  /** Checked-out commit, when the pull succeeded. */
  commit?: string;
  /** Folder holding the checkout, when the pull succeeded. */
  dir?: string;
  /** Submodules of the checkout that were not fetched (the source does not ask for them). */
  unfetchedSubmodules?: string[];
  error?: SourceError;
  durationMs: number;
}

export interface PullOptions {
  /** Folder of croncd.yaml: local source paths are relative to it. */
  configDir: string;
  env?: NodeJS.ProcessEnv;
}

export async function pullSources(
  sources: readonly SourceConfig[],
  workspace: Workspace,
  options: PullOptions,
): Promise<PulledSource[]> {
  return Promise.all(sources.map((source) => pullOne(source, workspace, options)));
}

async function pullOne(
  source: SourceConfig,
  workspace: Workspace,
  options: PullOptions,
): Promise<PulledSource> {
  const started = Date.now();
  const subject = `source ${source.name}`;
  const base = { name: source.name, url: source.url, ref: source.ref };
  try {
    const url = resolveUrl(source.url, options.configDir, subject);
    base.url = url;
    const auth = resolveAuth(source, options.env ?? process.env, subject);
    const dir = workspace.pathFor("sources", source.name);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const { commit, unfetchedSubmodules } = await fetchCommit({
      url,
      ref: source.ref,
      dir,
      stallTimeoutMs: source.stallTimeout * 1000,
      submodules: source.submodules,
      ...(auth ? { auth } : {}),
    });
    return { ...base, commit, dir, unfetchedSubmodules, durationMs: Date.now() - started };
  } catch (error) {
    const options = { subject, hint: hintFor(error), cause: error };
    const sourceError =
      error instanceof SourceError
        ? error
        : isAway(error)
          ? new SourceUnavailableError(`source unavailable: ${describeError(error)}`, options)
          : new SourceError(`clone failed: ${describeError(error)}`, options);
    return { ...base, error: sourceError, durationMs: Date.now() - started };
  }
}

/** The server could not be reached or went silent: "source unavailable", not a broken source. */
function isAway(error: unknown): boolean {
  return error instanceof GitFetchError && (error.kind === "stalled" || error.kind === "no-connection");
}

function hintFor(error: unknown): string | undefined {
  if (!(error instanceof GitFetchError)) return undefined;
  switch (error.kind) {
    case "unknown-ref":
      return "check the source's ref: a branch, tag or commit SHA that exists in the repository";
    case "auth":
      return "check the token or deploy key, and that it may read this repository";
    case "no-connection":
      return "check that the git server is up and that this runner can reach it (DNS, firewall, proxy); croncd tries again on its next run";
    case "unreachable":
      return "check the URL, that this runner can reach the git server, and that the credentials may read the repository (servers answer 'not found' when they may not)";
    case "stalled":
      return "the server accepted the connection but did not answer: check that it is up and not overloaded, or raise the source's stallTimeout";
    case "host-key":
      return "the SSH server's host key is not the one in the auth.knownHostsFileEnv file: update that file, or find out who is answering instead";
    default:
      return undefined;
  }
}

/**
 * Local paths are made absolute; HTTP(S) URLs carrying credentials in any part (user, password,
 * query) are refused, since the URL lands in .git/config, the report and a label on every service.
 */
export function resolveUrl(url: string, configDir: string, subject: string): string {
  // git would take such a "URL" for one of its own options.
  if (url.startsWith("-")) {
    throw new SourceError("the URL starts with '-'", {
      subject,
      hint: "give an https://, ssh:// or user@host:path URL, or a path",
    });
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) {
    const parsed = new URL(url);
    const web = parsed.protocol === "http:" || parsed.protocol === "https:";
    if (parsed.password || (web && (parsed.username || parsed.search))) {
      throw new SourceError("the URL carries credentials (a user, password, token or query string)", {
        subject,
        hint: "remove them from the URL and set auth.tokenEnv instead, so they never land in logs, labels or .git/config",
      });
    }
    return url;
  }
  // scp-like SSH (git@host:group/repo.git) stays as it is; everything else is a local path.
  if (/^[^/\\]+@[^/\\:]+:/.test(url)) return url;
  return path.resolve(configDir, url);
}

function resolveAuth(source: SourceConfig, env: NodeJS.ProcessEnv, subject: string): GitAuth | undefined {
  const auth = source.auth;
  if (!auth) return undefined;
  if (auth.tokenEnv) {
    if (/^http:\/\//i.test(source.url) && !isLoopback(source.url)) {
      throw new SourceError("refusing to send a token over plain http://", {
        subject,
        hint: "use the https:// URL of the repository",
      });
    }
    const token = env[auth.tokenEnv];
    if (!token) {
      throw new SourceError(`environment variable ${auth.tokenEnv} (auth.tokenEnv) is not set or empty`, {
        subject,
        hint: "define it as a masked CI/CD variable or repository secret",
      });
    }
    // GitLab only accepts its job token under this user name; other tokens take any name.
    const username = auth.username ?? (auth.tokenEnv === "CI_JOB_TOKEN" ? "gitlab-ci-token" : "oauth2");
    return { kind: "token", username, token };
  }
  const keyFile = auth.sshKeyFileEnv ? env[auth.sshKeyFileEnv] : undefined;
  if (!keyFile) {
    throw new SourceError(
      `environment variable ${auth.sshKeyFileEnv} (auth.sshKeyFileEnv) is not set or empty`,
      {
        subject,
        hint: "it must hold the path of the deploy key file (a GitLab CI/CD variable of type File)",
      },
    );
  }
  if (!isReadableFile(keyFile)) {
    // The path itself is not shown: it says where the runner keeps keys, which logs need not tell.
    throw new SourceError(
      `the deploy key file named by ${auth.sshKeyFileEnv} (auth.sshKeyFileEnv) cannot be read`,
      {
        subject,
        hint: "check that the variable is of type File and the job can read it",
      },
    );
  }
  const knownHostsFile = auth.knownHostsFileEnv ? env[auth.knownHostsFileEnv] : undefined;
  return { kind: "ssh", keyFile, ...(knownHostsFile ? { knownHostsFile } : {}) };
}

function isReadableFile(file: string): boolean {
  try {
    accessSync(file, constants.R_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

function isLoopback(url: string): boolean {
  const host = new URL(url).hostname;
  return host === "localhost" || host === "[::1]" || host.startsWith("127.");
}
