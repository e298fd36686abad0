/**
 * Prints decrypted YAML as `sops --decrypt` does in substance (getsops/sops
 * `stores/yaml/store.go` `EmitPlainFile`): documents separated by `---`, 4-space indentation,
 * key order and comments kept (head comments before their key, inline ones after the value,
 * trailing ones at the end of their mapping or sequence), values with their types. Strings that
 * another reader could take for a number, a bool, a null or a timestamp are quoted. The layout is
 * the `yaml` package's, not byte-for-byte yaml.v3's.
 */
import { Document, Pair, Scalar, YAMLMap, YAMLSeq, type Node as YamlNode } from "yaml";
import { formatRfc3339 } from "../gotime.js";
import type { Branch, CommentNode, Leaf, Sequence, Value } from "../tree.js";
import { needsQuoting } from "./yaml-scalar.js";

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

function stringScalar(value: string): Scalar {
  const node = new Scalar(value);
  if (value.includes("\n")) node.type = Scalar.BLOCK_LITERAL;
  else if (needsQuoting(value)) node.type = Scalar.QUOTE_DOUBLE;
  return node;
}

function bytesScalar(bytes: Uint8Array): Scalar {
  try {
    return stringScalar(strictUtf8.decode(bytes));
  } catch {
    const node = new Scalar(Buffer.from(bytes).toString("base64"));
    node.tag = "tag:yaml.org,2002:binary";
    return node;
  }
}

function leafNode(leaf: Leaf): Scalar {
  switch (leaf.kind) {
    case "str":
      return stringScalar(leaf.value);
    case "rawstr":
    case "bytes":
      return bytesScalar(leaf.value);
    case "int":
      return new Scalar(leaf.value);
    case "float":
    case "bool":
      return new Scalar(leaf.value);
    case "null":
      return new Scalar(null);
    case "time":
      return new Scalar(formatRfc3339(leaf.value, true) ?? "");
  }
}

function joined(comments: readonly CommentNode[]): string | undefined {
  return comments.length === 0 ? undefined : comments.map((c) => c.text).join("\n");
}

function withComments(node: YamlNode, head: CommentNode[], inline: CommentNode[]): void {
  const before = joined(head);
  if (before !== undefined) node.commentBefore = before;
  const after = joined(inline);
  if (after !== undefined) node.comment = after;
}

function branchNode(tree: Branch): { node: YAMLMap; trailing: CommentNode[] } {
  const map = new YAMLMap();
  let head: CommentNode[] = [];
  let inline: CommentNode[] = [];
  for (const item of tree.items) {
    if (item.kind === "comment") {
      (item.inline ? inline : head).push(item);
      continue;
    }
    const key = stringScalar(item.key);
    const value = valueNode(item.value);
    withComments(key, head, []);
    // An inline comment sits after a scalar; after a key whose value is a collection.
    withComments(value instanceof Scalar ? value : key, [], inline);
    map.items.push(new Pair(key, value));
    head = [];
    inline = [];
  }
  return { node: map, trailing: [...head, ...inline] };
}

function sequenceNode(sequence: Sequence): YAMLSeq {
  const seq = new YAMLSeq();
  let head: CommentNode[] = [];
  let inline: CommentNode[] = [];
  for (const item of sequence.items) {
    if (item.kind === "comment") {
      (item.inline ? inline : head).push(item);
      continue;
    }
    const node = valueNode(item);
    withComments(node, head, node instanceof Scalar ? inline : []);
    seq.items.push(node);
    head = [];
    inline = [];
  }
  const trailing = joined([...head, ...inline]);
  if (trailing !== undefined) seq.comment = trailing;
  return seq;
}

function valueNode(value: Value): YamlNode {
  if (value.kind === "branch") {
    const { node, trailing } = branchNode(value);
    const after = joined(trailing);
    if (after !== undefined) node.comment = after;
    return node;
  }
  if (value.kind === "seq") return sequenceNode(value);
  return leafNode(value);
}

export function emitYaml(documents: readonly Branch[]): string {
  return documents
    .map((tree) => {
      const doc = new Document(null, { version: "1.2" });
      const { node, trailing } = branchNode(tree);
      doc.contents = node;
      const after = joined(trailing);
      if (after !== undefined) doc.comment = after;
      return doc.toString({ indent: 4, indentSeq: true, lineWidth: 0, minContentWidth: 0 });
    })
    .join("---\n");
}
