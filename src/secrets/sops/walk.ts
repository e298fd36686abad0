/**
 * sops's tree walk (getsops/sops `sops.go` `walkBranch`/`walkSlice`/`walkValue`): depth first, in
 * document order, calling back on every scalar and comment with
 *
 * - the path: the mapping keys from the root (a sequence adds nothing, so every element of a
 *   list shares its parent's path, and the AAD of a value is `key:key:…:`);
 * - the comments stack: one level per mapping/sequence entered, each holding the comments seen
 *   since the last value at that level (a comment is pushed before its own callback).
 *
 * The callback returns the replacement; the walk rebuilds the tree around it.
 */
import type { Branch, CommentNode, Entry, Leaf, Sequence, Value } from "./tree.js";

export interface Visit {
  readonly node: Leaf | CommentNode;
  readonly path: readonly string[];
  /** For messages: `stringData.key`, `list[2].name`. Never holds a value. */
  readonly display: string;
  readonly commentsStack: readonly (readonly string[])[];
}

export type Visitor = (visit: Visit) => Leaf | CommentNode;

function childDisplay(parent: string, key: string): string {
  return parent === "" ? key : `${parent}.${key}`;
}

function walkValue(
  value: Value,
  path: readonly string[],
  display: string,
  stack: string[][],
  visitor: Visitor,
): Value {
  if (value.kind === "branch") return walkBranch(value, path, display, stack, visitor);
  if (value.kind === "seq") return walkSequence(value, path, display, stack, visitor);
  return visitor({ node: value, path, display, commentsStack: stack }) as Leaf;
}

function walkSequence(
  sequence: Sequence,
  path: readonly string[],
  display: string,
  outer: string[][],
  visitor: Visitor,
): Sequence {
  const stack = [...outer, []];
  const level = stack.length - 1;
  const items: (Value | CommentNode)[] = [];
  let index = 0;
  for (const item of sequence.items) {
    if (item.kind === "comment") {
      stack[level] = [...(stack[level] as string[]), item.text];
      items.push(visitor({ node: item, path, display, commentsStack: stack }));
      continue;
    }
    items.push(walkValue(item, path, `${display}[${index}]`, stack, visitor));
    index++;
    stack[level] = [];
  }
  return { kind: "seq", items };
}

export function walkBranch(
  tree: Branch,
  path: readonly string[],
  display: string,
  outer: string[][],
  visitor: Visitor,
): Branch {
  const stack = [...outer, []];
  const level = stack.length - 1;
  const items: (Entry | CommentNode)[] = [];
  for (const item of tree.items) {
    if (item.kind === "comment") {
      stack[level] = [...(stack[level] as string[]), item.text];
      items.push(visitor({ node: item, path, display, commentsStack: stack }) as CommentNode);
      continue;
    }
    const value = walkValue(item.value, [...path, item.key], childDisplay(display, item.key), stack, visitor);
    items.push({ kind: "entry", key: item.key, value });
    stack[level] = [];
  }
  return { kind: "branch", items };
}

/** Walks every document (branch) of a file in order. */
export function walkDocuments(documents: readonly Branch[], visitor: Visitor): Branch[] {
  return documents.map((document) => walkBranch(document, [], "", [], visitor));
}
