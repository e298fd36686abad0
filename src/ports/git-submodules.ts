/**
 * Git submodules of a checkout: fetched only when a source asks for it (`submodules: true`), and
 * then only over the transports the source itself uses or that carry their own authentication
 * (https, ssh): a .gitmodules in the config repository must not make the runner read local paths
 * (file://) or run commands (ext::) on its behalf.
 */
import { GitStopped } from "./git-errors.js";

/** Runs one git command in the checkout; resolves with stdout, throws git's stderr. */
export type Git = (args: readonly string[]) => Promise<string>;

/** Transports submodules may always use; the source's own transport is added to them. */
const ALWAYS_ALLOWED = ["https", "ssh"];

export async function fetchSubmodules(git: Git, sourceUrl: string): Promise<void> {
  const allowed = new Set([...ALWAYS_ALLOWED, transportOf(sourceUrl)]);
  const command = [
    // Relative submodule URLs (../lib.git) resolve against the superproject's remote, which
    // croncd never writes to .git/config: name it for this command only.
    "-c",
    `remote.origin.url=${sourceUrl}`,
    "-c",
    "protocol.allow=never",
    ...[...allowed].flatMap((transport) => ["-c", `protocol.${transport}.allow=always`]),
    "submodule",
    "update",
    "--init",
    "--recursive",
    "--progress",
  ];
  try {
    await git([...command, "--depth", "1"]);
  } catch (error) {
    // A server that refuses to serve a commit by SHA to a shallow fetch still serves the history.
    if (error instanceof GitStopped) throw error;
    await git(command);
  }
}

/** Paths of the submodules (gitlinks) recorded in the checked-out commit. */
export async function submodulePaths(git: Git): Promise<string[]> {
  const listing = await git(["ls-files", "--stage", "-z"]);
  return listing
    .split("\0")
    .filter((line) => line.startsWith("160000 "))
    .map((line) => line.slice(line.indexOf("\t") + 1));
}

/** git's name for the transport of a URL: https, http, ssh, git or file. */
function transportOf(url: string): string {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1]?.toLowerCase();
  if (scheme) return scheme === "git+ssh" || scheme === "ssh+git" ? "ssh" : scheme;
  // scp-like user@host:path is ssh; anything else is a local path.
  return /^[^/\\]+@[^/\\:]+:/.test(url) ? "ssh" : "file";
}
