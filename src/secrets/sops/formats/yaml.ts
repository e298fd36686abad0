/**
 * YAML the way sops's YAML store reads it (getsops/sops `stores/yaml/store.go`, on yaml.v3):
 *
 * - every document of the stream is one branch (multi-document files are supported; sops writes
 *   the `sops` metadata into each document and reads it from the first);
 * - a document must be a mapping (an empty document is an empty mapping);
 * - keys must decode to strings; `<<` is an ordinary key (no merging), and an alias is expanded
 *   into a copy of what its anchor holds, as yaml.v3 decodes it;
 * - scalars get yaml.v3's types (see yaml-scalar.ts);
 * - comments become comment items of the mapping or sequence they sit in, at their position.
 *
 * The `yaml` package parses the syntax; its comment attachment does not follow indentation, so
 * comments are placed here from their line and column (see `placeComments`).
 */
import {
  Composer,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  Parser,
  Scalar,
  type Document,
  type Node as YamlNode,
  type YAMLMap,
  type YAMLSeq,
} from "yaml";
import type { Branch, CommentNode, Entry, Leaf, Value } from "../tree.js";
import { FormatProblem, lineColumn } from "./problem.js";
import { resolveScalar, ScalarError } from "./yaml-scalar.js";

/** Where comments can go: a mapping or a sequence written in the file. */
interface Container {
  readonly items: (Entry | Value | CommentNode)[];
  /** Column of its items (keys, or `-` of a block sequence); -1 for flow collections. */
  readonly column: number;
  readonly depth: number;
  readonly parent: Container | undefined;
  readonly aad: string;
  /** Offsets where its items start, in order. */
  readonly offsets: number[];
  readonly pending: { index: number; comment: CommentNode }[];
}

interface Anchor {
  readonly offset: number;
  readonly column: number;
  readonly container: Container;
  readonly index: number;
}

interface RawComment {
  readonly offset: number;
  readonly text: string;
}

const MAX_NODES = 1_000_000;
const MAX_FALLBACK_AADS = 8;

class DocumentReader {
  readonly anchors: Anchor[] = [];
  readonly containers: Container[] = [];
  private nodes = 0;

  constructor(
    private readonly doc: Document.Parsed,
    private readonly lines: LineCounter,
  ) {}

  private fail(message: string, display: string): never {
    throw new FormatProblem(`is not a YAML file sops can read: ${display || "the document"} ${message}`);
  }

  private column(offset: number): number {
    return this.lines.linePos(offset).col - 1;
  }

  private container(column: number, parent: Container | undefined, path: readonly string[]): Container {
    const container: Container = {
      items: [],
      column,
      depth: parent ? parent.depth + 1 : 0,
      parent,
      aad: path.join(":") + ":",
      offsets: [],
      pending: [],
    };
    this.containers.push(container);
    return container;
  }

  private register(container: Container | undefined, offset: number | undefined): void {
    if (!container || offset === undefined) return;
    const index = container.offsets.length;
    container.offsets.push(offset);
    this.anchors.push({ offset, column: this.column(offset), container, index });
  }

  root(): { branch: Branch; container: Container } {
    const contents = this.doc.contents as YamlNode | null;
    let node: YamlNode | null = contents;
    if (node && isAlias(node)) node = (node.resolve(this.doc) as YamlNode | undefined) ?? null;
    if (node === null || (isScalar(node) && this.scalar(node, "").kind === "null")) {
      const container = this.container(0, undefined, []);
      return { branch: { kind: "branch", items: container.items as (Entry | CommentNode)[] }, container };
    }
    if (isSeq(node)) this.fail("is a sequence; sops supports only mappings at the top", "");
    if (!isMap(node)) this.fail("is a single value; sops supports only mappings at the top", "");
    const { branch, container } = this.map(node, [], "", undefined, true);
    return { branch, container: container as Container };
  }

  private count(display: string): void {
    if (++this.nodes > MAX_NODES) this.fail("expands into too many nodes (alias bomb?)", display);
  }

  private scalar(node: Scalar, display: string): Leaf {
    // The failsafe schema keeps every scalar a string; anything else means an unexpected parse.
    if (typeof node.value !== "string") this.fail("holds a scalar that could not be read", display);
    const text = node.value;
    try {
      return resolveScalar(text, node.type !== Scalar.PLAIN, node.tag);
    } catch (error) {
      if (error instanceof ScalarError) this.fail(error.message, display);
      throw error;
    }
  }

  private value(
    node: YamlNode | null | undefined,
    path: readonly string[],
    display: string,
    parent: Container | undefined,
    register: boolean,
  ): Value {
    this.count(display);
    if (node === null || node === undefined) return { kind: "null" };
    if (isAlias(node)) {
      const target = node.resolve(this.doc) as YamlNode | undefined;
      if (!target) this.fail("uses an alias to an unknown anchor", display);
      return this.value(target, path, display, parent, false);
    }
    if (isScalar(node)) return this.scalar(node, display);
    if (isMap(node)) return this.map(node, path, display, parent, register).branch;
    if (isSeq(node)) return this.seq(node, path, display, parent, register);
    this.fail("holds a node sops cannot read", display);
  }

  private map(
    node: YAMLMap,
    path: readonly string[],
    display: string,
    parent: Container | undefined,
    register: boolean,
  ): { branch: Branch; container: Container | undefined } {
    const firstKey = node.items[0]?.key as YamlNode | undefined;
    const flow = node.srcToken?.type === "flow-collection";
    const column = !flow && firstKey?.range ? this.column(firstKey.range[0]) : -1;
    const container = register ? this.container(column, parent, path) : undefined;
    const items: (Entry | CommentNode)[] = container ? (container.items as (Entry | CommentNode)[]) : [];
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      let keyNode = pair.key as YamlNode | null;
      if (keyNode && isAlias(keyNode)) keyNode = (keyNode.resolve(this.doc) as YamlNode | undefined) ?? null;
      const keyLeaf: Leaf = keyNode && isScalar(keyNode) ? this.scalar(keyNode, display) : { kind: "null" };
      if (keyLeaf.kind !== "str" || !keyNode) {
        this.fail("has a key that is not a string (sops supports only string keys)", display);
      }
      const key = keyLeaf.value;
      const childDisplay = display === "" ? key : `${display}.${key}`;
      this.register(container, keyNode.range?.[0]);
      const value = this.value(
        pair.value as YamlNode | null,
        [...path, key],
        childDisplay,
        container,
        register,
      );
      items.push({ kind: "entry", key, value });
    }
    return { branch: { kind: "branch", items }, container };
  }

  private seq(
    node: YAMLSeq,
    path: readonly string[],
    display: string,
    parent: Container | undefined,
    register: boolean,
  ): Value {
    const token = node.srcToken;
    const dashes =
      token?.type === "block-seq"
        ? token.items.map((item) => item.start.find((t) => t.type === "seq-item-ind")?.offset)
        : [];
    const firstDash = dashes[0];
    const column = firstDash !== undefined ? this.column(firstDash) : -1;
    const container = register ? this.container(column, parent, path) : undefined;
    const items: (Value | CommentNode)[] = container ? (container.items as (Value | CommentNode)[]) : [];
    node.items.forEach((item, index) => {
      const itemNode = item as YamlNode | null;
      this.register(container, dashes[index] ?? itemNode?.range?.[0]);
      items.push(this.value(itemNode, path, `${display}[${index}]`, container, register));
    });
    return { kind: "seq", items };
  }
}

function collectComments(token: unknown, out: RawComment[]): void {
  if (Array.isArray(token)) {
    for (const item of token) collectComments(item, out);
    return;
  }
  if (token === null || typeof token !== "object") return;
  const record = token as Record<string, unknown>;
  if (record.type === "comment" && typeof record.offset === "number" && typeof record.source === "string") {
    out.push({ offset: record.offset, text: record.source.slice(1) });
    return;
  }
  for (const value of Object.values(record))
    if (value !== null && typeof value === "object") collectComments(value, out);
}

/** How many of the ascending `offsets` are before `offset` (binary search). */
function countBefore(offsets: readonly number[], offset: number): number {
  let low = 0;
  let high = offsets.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if ((offsets[middle] as number) < offset) low = middle + 1;
    else high = middle;
  }
  return low;
}

function ancestors(container: Container | undefined): Container[] {
  const chain: Container[] = [];
  for (let c = container; c; c = c.parent) chain.push(c);
  return chain;
}

/**
 * Puts each comment where yaml.v3 (and so sops) has it, for files laid out as sops writes them:
 *
 * - a comment after content on its line belongs before the item that line started, inline;
 * - a comment line at the column of the next item is that item's head comment;
 * - otherwise it closes the innermost open mapping/sequence at its column (or, failing that,
 *   the innermost one indented less).
 */
function placeComments(
  comments: readonly RawComment[],
  anchors: readonly Anchor[],
  root: Container,
  source: string,
): void {
  const anchorOffsets = anchors.map((anchor) => anchor.offset);
  for (const raw of comments) {
    const lineStart = source.lastIndexOf("\n", raw.offset - 1) + 1;
    const inline = source.slice(lineStart, raw.offset).trim() !== "";
    const column = raw.offset - lineStart;
    const at = countBefore(anchorOffsets, raw.offset);
    const previous = anchors[at - 1];
    const next = anchors[at];
    // If the guess below is wrong, the comment still decrypts with the path of a mapping or
    // list around it (bounded by the nesting depth, so a hostile file cannot make this costly).
    const candidates = [...new Set([...ancestors(previous?.container), ...ancestors(next?.container), root])];
    const fallbackAads = [...new Set(candidates.map((c) => c.aad))].slice(0, MAX_FALLBACK_AADS);
    const node: CommentNode = { kind: "comment", text: raw.text, inline, fallbackAads };
    if (inline) {
      if (previous) previous.container.pending.push({ index: previous.index, comment: node });
      else root.pending.push({ index: 0, comment: node });
      continue;
    }
    if (next && next.column === column) {
      next.container.pending.push({ index: next.index, comment: node });
      continue;
    }
    const deepest = (list: Container[]) => list.sort((a, b) => b.depth - a.depth)[0];
    const target =
      deepest(candidates.filter((c) => c.column === column)) ??
      deepest(candidates.filter((c) => c.column !== -1 && c.column < column)) ??
      root;
    const index = countBefore(target.offsets, raw.offset);
    target.pending.push({ index, comment: node });
  }
}

function insertPending(container: Container): void {
  if (container.pending.length === 0) return;
  const byIndex = new Map<number, CommentNode[]>();
  for (const { index, comment } of container.pending) {
    const list = byIndex.get(index) ?? [];
    list.push(comment);
    byIndex.set(index, list);
  }
  const original = container.items.splice(0, container.items.length);
  original.forEach((item, index) => {
    container.items.push(...(byIndex.get(index) ?? []), item);
  });
  for (const [index, list] of byIndex) if (index >= original.length) container.items.push(...list);
}

/** Reads a YAML stream into one branch per document, comments included. */
export function parseYaml(text: string): Branch[] {
  const lineCounter = new LineCounter();
  const tokens = Array.from(new Parser(lineCounter.addNewLine).parse(text));
  const composer = new Composer({
    schema: "failsafe",
    resolveKnownTags: false,
    keepSourceTokens: true,
    uniqueKeys: true,
    merge: false,
    prettyErrors: false,
  });
  const documents = Array.from(composer.compose(tokens, true, text.length));
  const comments: RawComment[] = [];
  collectComments(tokens, comments);
  comments.sort((a, b) => a.offset - b.offset);

  const branches: Branch[] = [];
  documents.forEach((doc, index) => {
    const error = doc.errors[0];
    if (error) {
      const { line, column } = lineColumn(text, error.pos[0]);
      throw new FormatProblem(`is not valid YAML: ${error.code} at line ${line}, column ${column}`);
    }
    const reader = new DocumentReader(doc, lineCounter);
    const { branch, container } = reader.root();
    const end =
      index + 1 < documents.length ? ((documents[index + 1] as Document.Parsed).range[0] ?? 0) : Infinity;
    const start = index === 0 ? -Infinity : (doc.range[0] ?? 0);
    const mine = comments.filter((c) => c.offset >= start && c.offset < end);
    placeComments(mine, reader.anchors, container, text);
    for (const c of reader.containers) insertPending(c);
    branches.push(branch);
  });
  return branches;
}
