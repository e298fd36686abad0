/**
 * The hidden marker that finds croncd's plan comment again on the next push. It names croncd and a
 * key derived from the config file and the selected targets, so two configurations (or two target
 * sets) planned in one merge request each keep their own comment instead of overwriting each other.
 */
import path from "node:path";
import { sha256Hex } from "../util/hash.js";

export interface CommentScope {
  /** The config file as given on the command line. */
  configFile: string;
  /** The `--target` names; empty means every target. */
  targets: readonly string[];
  /** Paths are made relative to this folder (the checkout), so every runner derives the same key. */
  cwd: string;
}

/** The config path as the comment shows it: relative to the checkout, with `/` on every platform. */
export function displayedConfigPath(scope: CommentScope): string {
  const relative = path.relative(scope.cwd, path.resolve(scope.cwd, scope.configFile));
  return relative.split(path.sep).join("/");
}

/** Sorted and without repeats: `--target a --target b` and `--target b --target a` plan the same. */
export function displayedTargets(scope: CommentScope): string[] {
  return [...new Set(scope.targets)].sort();
}

/** A short stable key for the scope; the comment is found by it, never by its visible text. */
export function commentKey(scope: CommentScope): string {
  const targets = displayedTargets(scope);
  const identity = `config=${displayedConfigPath(scope)}\ntargets=${targets.length === 0 ? "*" : targets.join(",")}`;
  return sha256Hex(identity).slice(0, 16);
}

/** An HTML comment: rendered invisibly by GitLab and GitHub, kept verbatim in the note's source. */
export function commentMarker(key: string): string {
  return `<!-- croncd plan comment, key ${key}; edited in place on every push -->`;
}

/**
 * True when the body is one croncd posted for this key: the marker must be the body's whole first
 * line. A person quoting croncd's comment, or another tool writing similar text, does not match.
 */
export function carriesMarker(body: string, marker: string): boolean {
  const firstLine = body.split("\n", 1)[0] ?? "";
  return firstLine.trimEnd() === marker;
}
