/**
 * dotenv and INI files cannot nest, so sops flattens its metadata into keys such as
 * `age__list_0__map_recipient` (getsops/sops `stores/flatten.go`): `__map_<key>` descends into a
 * mapping, `__list_<n>` into a list. This rebuilds the nested metadata from those keys, with
 * the checks sops makes (no duplicates, no node that is both a value and a container, lists
 * without gaps).
 */

const MAP_SEPARATOR = "__map_";
const LIST_SEPARATOR = "__list_";

export type PlainValue = string | number | boolean | null | PlainValue[] | { [key: string]: PlainValue };

type Token = { kind: "map"; key: string } | { kind: "list"; index: number };

function tokenize(path: string): Token[] {
  const tokens: Token[] = [];
  let state: "normal" | "map" | "list" = "normal";
  let start = 0;
  const finish = (end: number) => {
    if (state === "list") {
      const digits = path.slice(start + LIST_SEPARATOR.length, end);
      // sops ignores a bad index (strconv.Atoi error), which makes it 0.
      tokens.push({ kind: "list", index: /^[+-]?\d+$/.test(digits) ? Number(digits) : 0 });
    } else {
      tokens.push({
        kind: "map",
        key: path.slice(state === "map" ? start + MAP_SEPARATOR.length : start, end),
      });
    }
    start = end;
  };
  let i = 0;
  while (i < path.length) {
    if (path.startsWith(MAP_SEPARATOR, i)) {
      finish(i);
      state = "map";
      i += MAP_SEPARATOR.length;
    } else if (path.startsWith(LIST_SEPARATOR, i)) {
      finish(i);
      state = "list";
      i += LIST_SEPARATOR.length;
    } else {
      i++;
    }
  }
  finish(path.length);
  return tokens;
}

interface Node {
  value?: { v: PlainValue };
  keys?: Map<string, Node>;
  indices?: Map<number, Node>;
}

function convert(node: Node): PlainValue {
  const kinds = [node.value !== undefined, (node.keys?.size ?? 0) > 0, (node.indices?.size ?? 0) > 0];
  if (kinds.filter(Boolean).length > 1) throw new Error("a flattened key is both a value and a container");
  if (node.value) return node.value.v;
  if (node.indices && node.indices.size > 0) {
    const size = node.indices.size;
    const list: PlainValue[] = [];
    for (let index = 0; index < size; index++) {
      const child = node.indices.get(index);
      if (!child) throw new Error("a flattened list has a gap");
      list.push(convert(child));
    }
    return list;
  }
  const result: { [key: string]: PlainValue } = Object.create(null) as { [key: string]: PlainValue };
  for (const [key, child] of node.keys ?? []) result[key] = convert(child);
  return result;
}

/** Rebuilds nested metadata from flattened `[key, value]` pairs; throws Error on conflicts. */
export function unflatten(pairs: readonly (readonly [string, PlainValue])[]): { [key: string]: PlainValue } {
  const root: Node = {};
  for (const [key, value] of pairs) {
    let node = root;
    for (const token of tokenize(key)) {
      if (token.kind === "map") {
        node.keys ??= new Map();
        let next = node.keys.get(token.key);
        if (!next) node.keys.set(token.key, (next = {}));
        node = next;
      } else {
        node.indices ??= new Map();
        let next = node.indices.get(token.index);
        if (!next) node.indices.set(token.index, (next = {}));
        node = next;
      }
    }
    if (node.value) throw new Error(`the metadata key ${key} appears twice`);
    node.value = { v: value };
  }
  const result = convert(root);
  if (result === null || typeof result !== "object" || Array.isArray(result)) {
    throw new Error("the flattened metadata is not a mapping");
  }
  return result;
}
