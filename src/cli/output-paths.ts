/**
 * `--report FILE`, `--junit FILE`, `--dotenv FILE` and `--out DIR` are checked before anything else happens: a path that cannot be
 * written found only after deploying loses the report of a run that changed production.
 */
import { accessSync, constants, statSync, type Stats } from "node:fs";
import path from "node:path";
import { ConfigError } from "../errors.js";

export interface OutputPaths {
  report?: string;
  junit?: string;
  dotenv?: string;
  out?: string;
}

const FILE_OPTIONS = ["report", "junit", "dotenv"] as const;
/** The file name suggested when a folder is given instead of a file. */
const EXAMPLE_NAMES: Record<(typeof FILE_OPTIONS)[number], string> = {
  report: "report.json",
  junit: "junit.xml",
  dotenv: "croncd.env",
};

/** Throws ConfigError naming the option, the path and what to do, when one cannot be written. */
export function assertOutputPathsWritable(paths: OutputPaths): void {
  const claimed = new Map<string, string>();
  for (const option of FILE_OPTIONS) {
    const file = paths[option];
    if (file === undefined) continue;
    assertWritableFile(file, `--${option}`, EXAMPLE_NAMES[option]);
    // Two reports into one file: the one written last would silently replace the other.
    const earlier = claimed.get(path.resolve(file));
    if (earlier) {
      throw new ConfigError(`is also given to ${earlier}`, {
        subject: `--${option} ${file}`,
        hint: "give each report its own file",
      });
    }
    claimed.set(path.resolve(file), `--${option}`);
  }
  if (paths.out !== undefined) assertWritableFolder(paths.out, "--out");
}

function assertWritableFile(file: string, option: string, exampleName: string): void {
  const subject = `${option} ${file}`;
  const existing = statOrUndefined(file);
  if (existing?.isDirectory()) {
    throw new ConfigError("is a directory, not a file", {
      subject,
      hint: `give a file path, e.g. ${path.join(file, exampleName)}`,
    });
  }
  if (existing) {
    if (!existing.isFile())
      throw new ConfigError("is not a regular file", { subject, hint: "give a file path" });
    if (!canWrite(file)) throw new ConfigError("cannot be written (permission denied)", { subject });
    return;
  }
  const parent = path.dirname(path.resolve(file));
  const folder = statOrUndefined(parent);
  if (!folder) {
    throw new ConfigError(`its folder ${parent} does not exist`, {
      subject,
      hint: "create the folder first",
    });
  }
  if (!folder.isDirectory()) throw new ConfigError(`${parent} is not a folder`, { subject });
  if (!canWrite(parent)) {
    throw new ConfigError(`its folder ${parent} cannot be written (permission denied)`, { subject });
  }
}

/** The folder, or the nearest folder above it that exists (it will be created below that), is writable. */
function assertWritableFolder(dir: string, option: string): void {
  const subject = `${option} ${dir}`;
  let candidate = path.resolve(dir);
  for (;;) {
    const found = statOrUndefined(candidate);
    if (found) {
      if (!found.isDirectory()) {
        const what =
          candidate === path.resolve(dir)
            ? "is a file, not a folder"
            : `${candidate} is a file, not a folder`;
        throw new ConfigError(what, { subject, hint: "give a folder path" });
      }
      if (!canWrite(candidate))
        throw new ConfigError(`${candidate} cannot be written (permission denied)`, { subject });
      return;
    }
    const parent = path.dirname(candidate);
    if (parent === candidate) return;
    candidate = parent;
  }
}

function statOrUndefined(file: string): Stats | undefined {
  try {
    return statSync(file);
  } catch {
    return undefined;
  }
}

function canWrite(file: string): boolean {
  try {
    accessSync(file, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}
