/**
 * What a YAML scalar means to sops, which decodes it with yaml.v3 into `interface{}`
 * (go.yaml.in/yaml/v3 `resolve.go` `resolve`, `decode.go` `scalar`). This decides the MAC bytes
 * of values left in clear and whether a key is a string (sops refuses any other key).
 *
 * - Quoted and block scalars are strings, unless explicitly tagged.
 * - A plain scalar is null (`~`, `null`, empty), a bool (`true`/`True`/`TRUE`/false…), an int
 *   (decimal, 0x, 0o, 0b, a leading 0 for octal, underscores ignored), a float, a timestamp
 *   (2006-1-2, with a time, with a zone), or else a string. `yes`/`on` are strings.
 * - `!!str`, `!!int`, `!!float`, `!!bool`, `!!null`, `!!timestamp` force a type (a mismatch is an
 *   error); `!!binary` is base64 bytes; any other tag leaves the text as a string.
 */
import { parseGoFloat, parseGoIntBase0 } from "../gonum.js";
import { parseYamlTimestamp } from "../gotime.js";
import type { Leaf } from "../tree.js";
import { decodeGoBase64 } from "../base64.js";

const YAML_ORG = "tag:yaml.org,2002:";

const MAP: Record<string, Leaf> = {};
for (const [texts, leaf] of [
  [["true", "True", "TRUE"], { kind: "bool", value: true }],
  [["false", "False", "FALSE"], { kind: "bool", value: false }],
  [["", "~", "null", "Null", "NULL"], { kind: "null" }],
  [[".nan", ".NaN", ".NAN"], { kind: "float", value: NaN }],
  [[".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"], { kind: "float", value: Infinity }],
  [["-.inf", "-.Inf", "-.INF"], { kind: "float", value: -Infinity }],
  [["<<"], { kind: "str", value: "<<" }],
] as const) {
  for (const text of texts) MAP[text] = leaf;
}

const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;

/** `!!int` etc. for a full `tag:yaml.org,2002:` tag; other tags as they are. */
export function shortTag(tag: string | undefined): string {
  if (!tag || tag === "!") return "";
  return tag.startsWith(YAML_ORG) ? "!!" + tag.slice(YAML_ORG.length) : tag;
}

/** A scalar whose value cannot be decoded (sops fails the same way). */
export class ScalarError extends Error {}

function resolvePlain(text: string, tag: string): Leaf | undefined {
  const first = text[0];
  let hint: "S" | "D" | "M" | "." | "none";
  if (first === undefined) hint = "M";
  else if (first === "+" || first === "-") hint = "S";
  else if (first >= "0" && first <= "9") hint = "D";
  else if ("yYnNtTfFoO~".includes(first)) hint = "M";
  else if (first === ".") hint = ".";
  else hint = "none";
  if (hint === "none") return undefined;
  const mapped = MAP[text];
  if (mapped) return mapped;
  if (hint === ".") {
    if (!/^\.\d+([eE][+-]?\d+)?$/.test(text)) return undefined;
    const value = parseGoFloat(text);
    return value === undefined ? undefined : { kind: "float", value };
  }
  if (hint === "M") return undefined;
  if (tag === "" || tag === "!!timestamp") {
    const time = parseYamlTimestamp(text);
    if (time) return { kind: "time", value: time };
  }
  const plain = text.replaceAll("_", "");
  const int = parseGoIntBase0(plain, false);
  if (int !== undefined) return { kind: "int", value: int };
  if (parseGoIntBase0(plain, true) !== undefined) {
    throw new ScalarError("is an integer beyond int64, which sops cannot handle");
  }
  if (YAML_STYLE_FLOAT.test(plain)) {
    const value = parseGoFloat(plain);
    if (value !== undefined) return { kind: "float", value };
  }
  return undefined;
}

function leafTag(leaf: Leaf): string {
  switch (leaf.kind) {
    case "bool":
      return "!!bool";
    case "null":
      return "!!null";
    case "float":
      return "!!float";
    case "int":
      return "!!int";
    case "time":
      return "!!timestamp";
    default:
      return "!!str";
  }
}

function decodeBase64(text: string): Uint8Array | undefined {
  const bytes = decodeGoBase64(text);
  return bytes && new Uint8Array(bytes);
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * The leaf for a scalar: its text, whether it was written quoted or as a block, and its explicit
 * tag (full or short form). Throws ScalarError where yaml.v3 would fail.
 */
export function resolveScalar(text: string, quotedOrBlock: boolean, explicitTag: string | undefined): Leaf {
  const tag = shortTag(explicitTag);
  if (tag === "!!str" || (tag === "" && quotedOrBlock)) return { kind: "str", value: text };
  if (tag === "!!binary") {
    const bytes = decodeBase64(text);
    if (!bytes) throw new ScalarError("is !!binary but not valid base64");
    try {
      return { kind: "str", value: strictUtf8.decode(bytes) };
    } catch {
      return { kind: "rawstr", value: bytes };
    }
  }
  const resolvable = ["", "!!bool", "!!int", "!!float", "!!null", "!!timestamp"].includes(tag);
  if (!resolvable) return { kind: "str", value: text };
  const leaf = resolvePlain(text, tag) ?? { kind: "str", value: text };
  if (tag === "" || leafTag(leaf) === tag) return leaf;
  if (tag === "!!float" && leaf.kind === "int") return { kind: "float", value: Number(leaf.value) };
  throw new ScalarError(`cannot be decoded as ${tag}`);
}

/**
 * Whether a string must be quoted to read back as a string, under yaml.v3 and under YAML 1.1
 * readers (`yes`, `on`, base-60 numbers…), as yaml.v3's encoder also quotes those.
 */
export function needsQuoting(text: string): boolean {
  let plain: Leaf;
  try {
    plain = resolveScalar(text, false, undefined);
  } catch {
    return true;
  }
  if (plain.kind !== "str") return true;
  if (/^(y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF)$/.test(text)) return true;
  if (/^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/.test(text)) return true;
  return /^[-+]?(\d[\d_]*)?\.?\d[\d_]*([eE][-+]?\d+)?$|^0b[01_]+$|^0x[0-9a-fA-F_]+$|^0o?[0-7_]+$/.test(text);
}
