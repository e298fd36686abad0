/**
 * Confines files a compose file points at (`env_file`, `configs.*.file`, `secrets.*.file`) to the
 * repository. The agent runs with access to the CI runner's disk and to Docker; a compose file
 * from git must not be able to ship `/etc/shadow` or a runner token to the cluster as a secret.
 */

import type { Stats } from "node:fs";
import { lstat, realpath, stat } from "node:fs/promises";
import path from "node:path";
import { RenderError } from "../errors.js";
import type { SourceLocation } from "../model/changeset.js";
import { unfetchedSubmoduleHolding } from "./unfetched-submodule.js";

export interface ResolveRepoFileOptions {
  /** The repository checkout; every referenced file must really live below it. */
  repoRoot: string;
  /** The folder of the compose file, inside `repoRoot`; references are relative to it. */
  baseDir: string;
  /** The path as written in the compose file. */
  reference: string;
  /** Names the reference in errors, e.g. `stacks/web/compose.yaml configs.nginx.file`. */
  field: string;
  /** Where the reference is written (the compose file's line), carried by the errors. */
  location?: SourceLocation;
  /** What must be there: a regular file (the default), or a folder. */
  kind?: "file" | "directory";
}

const KEEP_INSIDE = "keep referenced files inside the repository";

/**
 * Resolves `reference` against `baseDir` and returns the file's real absolute path. Throws
 * `RenderError` when the reference is absolute, leaves the repository (by `..` or through a
 * symlink anywhere on the path), or does not name an existing regular file.
 */
export async function resolveRepoFile(options: ResolveRepoFileOptions): Promise<string> {
  const { field, reference } = options;
  const fail = (message: string, hint: string, cause?: unknown): RenderError =>
    new RenderError(message, {
      subject: field,
      hint,
      cause,
      ...(options.location ? { location: options.location } : {}),
    });

  if (reference.trim() === "" || reference.includes("\0")) {
    throw fail(
      `invalid file reference ${JSON.stringify(reference)}`,
      "give a path relative to the compose file",
    );
  }
  if (path.isAbsolute(reference)) {
    throw fail(
      `absolute path "${reference}" is not allowed`,
      `use a path relative to the compose file and ${KEEP_INSIDE}`,
    );
  }

  // Lexical check first, as docker joins the path lexically too: it rejects `../../etc/passwd`
  // without touching the disk, so nothing outside the repository is even probed.
  const root = path.resolve(options.repoRoot);
  const target = path.resolve(options.baseDir, reference);
  if (!isInside(root, target)) {
    throw fail(`"${reference}" points outside the repository`, KEEP_INSIDE);
  }

  const realRoot = await realpath(root).catch((error: unknown) => {
    throw fail(`repository folder ${root} cannot be read`, "check the checkout", error);
  });
  let realTarget: string;
  try {
    realTarget = await realpath(target);
  } catch (error) {
    throw await unresolvable(error, { reference, root, target, fail });
  }
  // realpath resolves every symlink on the way, so this also catches a linked parent folder.
  if (!isInside(realRoot, realTarget)) {
    throw fail(
      `"${reference}" resolves through a symlink to ${realTarget}, outside the repository`,
      `${KEEP_INSIDE}; symlinks must point into it`,
    );
  }

  const info = await stat(realTarget);
  if (options.kind === "directory" ? !info.isDirectory() : !info.isFile()) {
    const wanted = options.kind === "directory" ? "folder" : "regular file";
    throw fail(`"${reference}" is not a ${wanted} (it is ${describeKind(info)})`, `point it at a ${wanted}`);
  }
  return realTarget;
}

/** A target's `path`: a folder that must really be inside the checkout, symlinks included. */
export async function resolveRepoFolder(repoRoot: string, reference: string): Promise<string> {
  return resolveRepoFile({
    repoRoot,
    baseDir: repoRoot,
    reference,
    field: "the target's path",
    kind: "directory",
  });
}

function isInside(root: string, candidate: string): boolean {
  const relative = path.relative(root, candidate);
  return relative !== ".." && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative);
}

async function unresolvable(
  error: unknown,
  context: {
    reference: string;
    root: string;
    target: string;
    fail: (message: string, hint: string, cause?: unknown) => RenderError;
  },
): Promise<RenderError> {
  const { reference, root, target, fail } = context;
  const code = error instanceof Error && "code" in error ? error.code : undefined;
  const shown = path.relative(root, target);
  if (code === "ELOOP") {
    return fail(`"${reference}" is a symlink loop`, KEEP_INSIDE, error);
  }
  if (code !== "ENOENT" && code !== "ENOTDIR") {
    const reason = error instanceof Error ? error.message : String(error);
    return fail(`cannot read "${reference}": ${reason}`, "check the file's permissions", error);
  }
  // A link whose target is gone reads as "missing" to realpath; name the link so it can be fixed.
  const link = await lstat(target).catch(() => undefined);
  if (link?.isSymbolicLink()) {
    return fail(`"${reference}" is a symlink to a file that does not exist`, KEEP_INSIDE, error);
  }
  const submodule = await unfetchedSubmoduleHolding(root, target);
  if (submodule) {
    return fail(
      `"${reference}" is inside git submodule ${submodule}, which croncd does not fetch`,
      "set submodules: true on the target's source in croncd.yaml",
      error,
    );
  }
  return fail(
    `file "${reference}" does not exist (looked for ${shown} in the repository)`,
    "add the file to the repository or fix the path",
    error,
  );
}

function describeKind(info: Stats): string {
  if (info.isDirectory()) return "a directory";
  if (info.isFile()) return "a file";
  if (info.isFIFO()) return "a named pipe";
  if (info.isSocket()) return "a socket";
  if (info.isCharacterDevice() || info.isBlockDevice()) return "a device";
  return "not a file";
}
