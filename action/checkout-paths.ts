/**
 * Entries say where their cause sits relative to the checkout of their source (the config
 * repository croncd cloned). GitHub links an annotation only to a path of the workflow's own
 * repository, relative to its root. This maps one to the other when the source is that repository
 * (a local path into the workspace, or its own URL) and the file is there; otherwise no file.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { SourceLocation } from "../src/model/changeset.js";

export interface WorkflowCheckout {
  /** GITHUB_WORKSPACE: where actions/checkout put the workflow's repository. */
  workspace: string;
  /** GITHUB_SERVER_URL and GITHUB_REPOSITORY: the repository the workflow runs for. */
  serverUrl?: string;
  repository?: string;
}

export interface SourceCheckout {
  /** The source's `url` as croncd.yaml spells it. */
  url: string;
  /** The folder of croncd.yaml: relative local source paths start there. */
  configDir: string;
}

/** The location's file as a workspace-relative POSIX path, or undefined when the workspace does not have it. */
export function workspacePath(
  location: SourceLocation,
  source: SourceCheckout,
  checkout: WorkflowCheckout,
): string | undefined {
  const root = sourceRootInWorkspace(source, checkout);
  return root === undefined ? undefined : linkableFile(path.resolve(root, location.file), checkout);
}

/** `absolute` relative to the workspace, if it is a file inside it. */
export function linkableFile(absolute: string, checkout: WorkflowCheckout): string | undefined {
  const relative = path.relative(checkout.workspace, absolute);
  if (relative === "" || relative.startsWith("..") || path.isAbsolute(relative)) return undefined;
  // The source's commit may differ from the checkout's: a file that is not there cannot be linked.
  if (!existsSync(absolute)) return undefined;
  return relative.split(path.sep).join("/");
}

function sourceRootInWorkspace(source: SourceCheckout, checkout: WorkflowCheckout): string | undefined {
  if (source.url.startsWith("file://")) return fileURLToPath(source.url);
  const remote = repositoryOf(source.url);
  if (remote === undefined) return path.resolve(source.configDir, source.url);
  const own =
    checkout.serverUrl && checkout.repository
      ? repositoryOf(`${checkout.serverUrl}/${checkout.repository}`)
      : undefined;
  return own !== undefined && remote === own ? checkout.workspace : undefined;
}

/** `host/owner/name` of an HTTPS, SSH or scp-style (`git@host:owner/name.git`) URL; undefined for a local path. */
function repositoryOf(url: string): string | undefined {
  const scp = /^[\w.-]+@([\w.-]+):(?!\/\/)(.+)$/.exec(url);
  let host: string;
  let repoPath: string;
  if (scp) {
    [, host = "", repoPath = ""] = scp;
  } else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) {
    // A URL node cannot read is some remote, never the workflow's own repository.
    if (!URL.canParse(url)) return url.toLowerCase();
    const parsed = new URL(url);
    host = parsed.hostname;
    repoPath = decodeURIComponent(parsed.pathname);
  } else {
    return undefined;
  }
  const name = repoPath.replace(/^\/+|\/+$/g, "").replace(/\.git$/, "");
  return `${host}/${name}`.toLowerCase();
}
