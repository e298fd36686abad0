/**
 * Parses one compose file into plain data while keeping the YAML document, so later stages (schema
 * validation, interpolation) can point a person at the line that is wrong.
 *
 * YAML dialect: `docker stack deploy` reads compose files with go-yaml v3 (docker/cli's
 * cli/compose/loader), which behaves like YAML 1.2 core for untyped data: only `true`/`false` are
 * booleans, so `on`, `yes`, `no` and `off` stay strings. We therefore use the `yaml` package's 1.2
 * core schema, with two additions go-yaml v3 also has:
 *  - merge keys (`<<: *defaults`), which YAML 1.2 dropped but compose files use everywhere;
 *  - legacy octal integers (`mode: 0440` is 288), because go-yaml v3 keeps the YAML 1.1 reading and
 *    config/secret file modes are written that way. Core 1.2 would read 440, a different mode.
 * A file that declares `%YAML 1.1` itself gets YAML 1.1 rules: the author asked for them.
 */

import { LineCounter, isAlias, isMap, isScalar, isSeq, parseDocument, visit } from "yaml";
import type { Document, Node, Pair, ScalarTag, YAMLError } from "yaml";
import { RenderError } from "../errors.js";
import type { SourceLocation } from "../model/changeset.js";
import { isStackOverflow, nestingError, pathBeyondNestingLimit } from "./nesting.js";

export interface ParsedYaml {
  /** The document as plain data, merge keys and aliases resolved. */
  value: unknown;
  document: Document.Parsed;
  /** The file name used in messages, as given to `parseYamlFile`. */
  file: string;
  /**
   * The 1-based line of the node at `path`: for a mapping entry the line of its key, for a list item
   * the line where the item starts. When the path does not exist (a key the schema says is missing),
   * the line of the closest existing ancestor. Values that come from an anchor (`*alias`, `<<`) are
   * located where the anchor defines them.
   */
  lineOf(path: readonly (string | number)[]): number | undefined;
  /** `lineOf` as a location errors carry: the file, and the line when there is one. */
  readonly locate: (path: readonly (string | number)[]) => SourceLocation;
}

/** A place in the file: `file:line:col` for messages, file and line as data. */
interface Position {
  subject: string;
  location: SourceLocation;
}

/**
 * Alias expansions allowed per anchor (uses × nested aliases). The `yaml` default of 100 is reached
 * by an ordinary file where 100 services merge the same defaults; exponential "billion laughs"
 * documents still blow far past this.
 */
const MAX_ALIAS_COUNT = 10_000;

/** go-yaml v3 reads a plain `0440` as octal (YAML 1.1 style); YAML 1.2 core would read decimal 440. */
const legacyOctal: ScalarTag = {
  tag: "tag:yaml.org,2002:int",
  default: true,
  test: /^[-+]?0[0-7]+$/,
  resolve: (source) => parseInt(source, 8),
};

/** Parses `text` (the content of `file`) as a single-document compose file. Throws `RenderError`. */
export interface YamlFileKind {
  /** How messages name the file: "compose file", "configuration file". */
  what: string;
  /** What an empty file should contain, for the hint. */
  emptyHint: string;
}

export const COMPOSE_FILE: YamlFileKind = {
  what: "compose file",
  emptyHint: "a compose file needs at least a `services:` mapping",
};

export function parseYamlFile(text: string, file: string, kind: YamlFileKind = COMPOSE_FILE): ParsedYaml {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, {
    version: "1.2",
    schema: "core",
    merge: true,
    uniqueKeys: true,
    // Positions come from the line counter; the pretty form would append a multi-line code excerpt.
    prettyErrors: false,
    lineCounter,
    customTags: (tags) => [legacyOctal, ...tags],
  });

  // Errors name the position in their text and carry the file and line as data.
  const at = (offset: number): Position => {
    const { line, col } = lineCounter.linePos(offset);
    return { subject: `${file}:${line}:${col}`, location: { file, line } };
  };

  const [firstError] = document.errors;
  if (firstError) throw syntaxError(firstError, document, at, kind);

  // A bare `---` yields an empty scalar rather than no content; both mean "nothing here".
  const contents = document.contents;
  if (contents === null || (isScalar(contents) && contents.value === null)) {
    throw new RenderError(`empty ${kind.what}`, { subject: file, location: { file }, hint: kind.emptyHint });
  }

  // Warnings are treated as errors: the main one is an unknown tag (`!reset`, `!override` are
  // docker compose extensions `docker stack deploy` does not know), which the parser would drop
  // with only a warning, deploying something other than what the author wrote.
  const [firstWarning] = document.warnings;
  if (firstWarning) {
    throw new RenderError(firstWarning.message, {
      ...at(firstWarning.pos[0]),
      hint:
        firstWarning.code === "TAG_RESOLVE_FAILED"
          ? "docker stack deploy does not support custom YAML tags"
          : undefined,
      cause: firstWarning,
    });
  }

  checkNodes(document, at);

  let value: unknown;
  try {
    value = document.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    if (isStackOverflow(error)) throw nestingError(file, kind.what, error, { file });
    throw new RenderError(error instanceof Error ? error.message : String(error), {
      subject: file,
      location: { file },
      cause: error,
    });
  }
  const tooDeep = pathBeyondNestingLimit(value);
  if (tooDeep) {
    const line = lineOfPath(document, lineCounter, tooDeep);
    throw nestingError(
      line === undefined ? file : `${file}:${line}`,
      kind.what,
      undefined,
      line === undefined ? { file } : { file, line },
    );
  }

  return {
    value,
    document,
    file,
    lineOf: (path) => lineOfPath(document, lineCounter, path),
    locate: (path) => {
      const line = lineOfPath(document, lineCounter, path);
      return line === undefined ? { file } : { file, line };
    },
  };
}

function syntaxError(
  error: YAMLError,
  document: Document.Parsed,
  at: (offset: number) => Position,
  kind: YamlFileKind,
): RenderError {
  const position = at(error.pos[0]);
  switch (error.code) {
    case "MULTIPLE_DOCS":
      // The parser's own text points at its JavaScript API, which means nothing to a compose author.
      return new RenderError(`a ${kind.what} must contain exactly one YAML document`, {
        ...position,
        hint: "remove the `---` separator or split the documents into separate files",
        cause: error,
      });
    case "RESOURCE_EXHAUSTION":
      // The parser composes nested collections recursively and reports its own stack overflow.
      return nestingError(position.subject, kind.what, error, position.location);
    case "DUPLICATE_KEY": {
      const key = keyAt(document, error.pos[0]);
      return new RenderError(error.message, {
        ...position,
        hint: key === undefined ? undefined : `key "${key}" appears twice in the same mapping`,
        cause: error,
      });
    }
    default:
      return new RenderError(error.message, { ...position, cause: error });
  }
}

/** The key that starts at `offset`, to name the duplicate the parser only points at. */
function keyAt(document: Document.Parsed, offset: number): string | undefined {
  let found: string | undefined;
  visit(document, {
    Pair(_, pair) {
      if (isScalar(pair.key) && pair.key.range?.[0] === offset) {
        found = String(pair.key.value);
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return found;
}

/** Rejects what the parser accepts but `docker stack deploy` would not: dangling aliases, odd keys. */
function checkNodes(document: Document.Parsed, at: (offset: number) => Position): void {
  visit(document, {
    Alias(_, alias) {
      if (alias.resolve(document) === undefined) {
        throw new RenderError(`unknown anchor "${alias.source}"`, {
          ...at(alias.range?.[0] ?? 0),
          hint: "define the anchor (&name) before the alias (*name) that uses it",
        });
      }
    },
    Pair(_, pair) {
      const key = pair.key;
      if (key === null || !isScalar(key)) {
        throw new RenderError("mapping keys must be plain strings", {
          ...at(rangeStart(key) ?? rangeStart(pair.value) ?? 0),
        });
      }
      // docker's loader refuses non-string keys ("non-string key in services"); say so with a line.
      if (typeof key.value !== "string" && !isMergeKey(key)) {
        throw new RenderError(`mapping key ${String(key.source ?? key.value)} is not a string`, {
          ...at(key.range?.[0] ?? 0),
          hint: "quote the key",
        });
      }
    },
  });
}

function rangeStart(node: unknown): number | undefined {
  return isNodeWithRange(node) ? node.range[0] : undefined;
}

function isNodeWithRange(node: unknown): node is Node & { range: [number, number, number] } {
  return (
    typeof node === "object" &&
    node !== null &&
    "range" in node &&
    Array.isArray(node.range) &&
    node.range.length > 0
  );
}

/** With `merge: true` the `<<` key resolves to a scalar holding a symbol rather than a string. */
function isMergeKey(key: unknown): boolean {
  return isScalar(key) && typeof key.value === "symbol";
}

function lineOfPath(
  document: Document.Parsed,
  lineCounter: LineCounter,
  path: readonly (string | number)[],
): number | undefined {
  const lineAt = (node: unknown): number | undefined => {
    const start = rangeStart(node);
    return start === undefined ? undefined : lineCounter.linePos(start).line;
  };

  let node: unknown = document.contents;
  let line = lineAt(node);
  for (const segment of path) {
    node = deref(document, node);
    if (isMap(node)) {
      const pair = findPair(document, node.items, String(segment), 0);
      if (!pair) break;
      line = lineAt(pair.key) ?? lineAt(pair.value) ?? line;
      node = pair.value;
    } else if (isSeq(node)) {
      const index = typeof segment === "number" ? segment : Number(segment);
      const item: unknown = Number.isInteger(index) ? node.items[index] : undefined;
      if (item === undefined) break;
      line = lineAt(item) ?? line;
      node = item;
    } else {
      break;
    }
  }
  return line;
}

function deref(document: Document.Parsed, node: unknown): unknown {
  return isAlias(node) ? node.resolve(document) : node;
}

/**
 * Finds `key` in a mapping the way merge keys resolve it: an explicit entry wins, then the merged
 * mappings in order (the first that has the key wins).
 */
function findPair(
  document: Document.Parsed,
  items: readonly Pair<unknown, unknown>[],
  key: string,
  depth: number,
): Pair<unknown, unknown> | undefined {
  // Anchors cannot be self-referential, but keep a bound so a malformed document cannot loop.
  if (depth > 32) return undefined;
  const direct = items.find(
    (pair) => isScalar(pair.key) && !isMergeKey(pair.key) && String(pair.key.value) === key,
  );
  if (direct) return direct;
  for (const pair of items) {
    if (!isMergeKey(pair.key)) continue;
    const source = deref(document, pair.value);
    const sources: unknown[] = isSeq(source) ? source.items.map((item) => deref(document, item)) : [source];
    for (const merged of sources) {
      if (!isMap(merged)) continue;
      const found = findPair(document, merged.items, key, depth + 1);
      if (found) return found;
    }
  }
  return undefined;
}
