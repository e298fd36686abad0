/**
 * JSON the way sops's JSON store reads and writes it (getsops/sops `stores/json/store.go`):
 *
 * - the document must be one object; it is read token by token, keeping key order and duplicate
 *   keys, and anything after the closing brace is ignored;
 * - a number is an int when it is an integer literal within int64, a float otherwise (before
 *   3.13.2 sops read every number as a float; both give the same MAC bytes for integers);
 * - output is Go's `json.Marshal` per value, indented with tabs by `json.Indent`, plus a newline.
 */
import { formatFloatJson } from "../gonum.js";
import { formatRfc3339 } from "../gotime.js";
import type { Branch, CommentNode, Entry, Leaf, Sequence, Value } from "../tree.js";
import { FormatProblem, lineColumn } from "./problem.js";

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

class JsonReader {
  private i = 0;
  constructor(private readonly text: string) {}

  private fail(what: string): never {
    const { line, column } = lineColumn(this.text, this.i);
    const found = this.i >= this.text.length ? "the file ends (truncated?)" : "unexpected input";
    throw new FormatProblem(`is not valid JSON: ${what} at line ${line}, column ${column}: ${found}`);
  }

  private space(): void {
    while (this.i < this.text.length && " \t\r\n".includes(this.text[this.i] as string)) this.i++;
  }

  topObject(): Branch {
    this.space();
    if (this.text[this.i] !== "{") {
      throw new FormatProblem("is not a JSON object: sops JSON files hold one top-level object");
    }
    this.i++;
    return this.object();
  }

  private object(): Branch {
    const items: Entry[] = [];
    this.space();
    if (this.text[this.i] === "}") {
      this.i++;
      return { kind: "branch", items };
    }
    for (;;) {
      this.space();
      if (this.text[this.i] !== '"') this.fail("expected an object key");
      const key = this.string();
      this.space();
      if (this.text[this.i] !== ":") this.fail("expected ':'");
      this.i++;
      items.push({ kind: "entry", key, value: this.value() });
      this.space();
      const c = this.text[this.i];
      this.i++;
      if (c === "}") return { kind: "branch", items };
      if (c !== ",") {
        this.i--;
        this.fail("expected ',' or '}'");
      }
    }
  }

  private array(): Sequence {
    const items: Value[] = [];
    this.space();
    if (this.text[this.i] === "]") {
      this.i++;
      return { kind: "seq", items };
    }
    for (;;) {
      items.push(this.value());
      this.space();
      const c = this.text[this.i];
      this.i++;
      if (c === "]") return { kind: "seq", items };
      if (c !== ",") {
        this.i--;
        this.fail("expected ',' or ']'");
      }
    }
  }

  private value(): Value {
    this.space();
    const c = this.text[this.i];
    if (c === "{") {
      this.i++;
      return this.object();
    }
    if (c === "[") {
      this.i++;
      return this.array();
    }
    if (c === '"') return { kind: "str", value: this.string() };
    for (const [word, leaf] of [
      ["true", { kind: "bool", value: true }],
      ["false", { kind: "bool", value: false }],
      ["null", { kind: "null" }],
    ] as const) {
      if (this.text.startsWith(word, this.i)) {
        this.i += word.length;
        return leaf;
      }
    }
    return this.number();
  }

  private number(): Leaf {
    const m = /^-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(this.text.slice(this.i, this.i + 400));
    if (!m) this.fail("expected a value");
    const literal = m[0];
    if (m[1] === undefined && m[2] === undefined) {
      const value = BigInt(literal);
      if (value >= INT64_MIN && value <= INT64_MAX) {
        this.i += literal.length;
        return { kind: "int", value };
      }
    }
    const value = Number(literal);
    if (!Number.isFinite(value)) this.fail("number out of range");
    this.i += literal.length;
    return { kind: "float", value };
  }

  private string(): string {
    this.i++; // opening quote
    let out = "";
    for (;;) {
      if (this.i >= this.text.length) this.fail("unterminated string");
      const c = this.text.charCodeAt(this.i);
      if (c === 0x22) {
        this.i++;
        return out;
      }
      if (c < 0x20) this.fail("control character in string");
      if (c !== 0x5c) {
        out += this.text[this.i];
        this.i++;
        continue;
      }
      const e = this.text[this.i + 1];
      this.i += 2;
      const simple: Record<string, string> = {
        '"': '"',
        "\\": "\\",
        "/": "/",
        b: "\b",
        f: "\f",
        n: "\n",
        r: "\r",
        t: "\t",
      };
      if (e !== undefined && e in simple) {
        out += simple[e];
        continue;
      }
      if (e !== "u") {
        this.i -= 2;
        this.fail("bad escape in string");
      }
      const unit = this.hex4();
      if (unit >= 0xd800 && unit < 0xdc00 && this.text.startsWith("\\u", this.i)) {
        const save = this.i;
        this.i += 2;
        const low = this.hex4();
        if (low >= 0xdc00 && low < 0xe000) {
          out += String.fromCharCode(unit, low);
          continue;
        }
        this.i = save;
      }
      // Go replaces a lone surrogate with U+FFFD.
      out += unit >= 0xd800 && unit < 0xe000 ? "\uFFFD" : String.fromCharCode(unit);
    }
  }

  private hex4(): number {
    const digits = this.text.slice(this.i, this.i + 4);
    if (!/^[0-9a-fA-F]{4}$/.test(digits)) this.fail("bad \\u escape");
    this.i += 4;
    return parseInt(digits, 16);
  }
}

/** Reads a sops JSON file into one branch. */
export function parseJson(text: string): Branch {
  return new JsonReader(text).topObject();
}

/** Go's `encoding/json` string encoding (HTML-safe, as json.Marshal does). */
export function goJsonString(value: string): string {
  let out = '"';
  for (const ch of value) {
    const cp = ch.codePointAt(0) as number;
    switch (ch) {
      case '"':
        out += '\\"';
        continue;
      case "\\":
        out += "\\\\";
        continue;
      case "\n":
        out += "\\n";
        continue;
      case "\r":
        out += "\\r";
        continue;
      case "\t":
        out += "\\t";
        continue;
      case "\b":
        out += "\\b";
        continue;
      case "\f":
        out += "\\f";
        continue;
    }
    if (cp < 0x20 || ch === "<" || ch === ">" || ch === "&" || cp === 0x2028 || cp === 0x2029) {
      out += "\\u" + cp.toString(16).padStart(4, "0");
    } else if (cp >= 0xd800 && cp < 0xe000) {
      out += "\\ufffd";
    } else {
      out += ch;
    }
  }
  return out + '"';
}

function leafJson(leaf: Leaf): string {
  switch (leaf.kind) {
    case "str":
      return goJsonString(leaf.value);
    case "rawstr":
      return goJsonString(new TextDecoder().decode(leaf.value));
    case "int":
      return leaf.value.toString();
    case "float": {
      const text = formatFloatJson(leaf.value);
      if (text === undefined)
        throw new FormatProblem("holds a NaN or infinite number, which JSON cannot represent");
      return text;
    }
    case "bool":
      return leaf.value ? "true" : "false";
    case "null":
      return "null";
    case "time":
      return goJsonString(formatRfc3339(leaf.value, true) ?? "");
    case "bytes":
      return goJsonString(Buffer.from(leaf.value).toString("base64"));
  }
}

function valueJson(value: Value | CommentNode, depth: number): string {
  const indent = "\t".repeat(depth + 1);
  const close = "\t".repeat(depth);
  if (value.kind === "comment") return "";
  if (value.kind === "branch") {
    const parts = value.items.flatMap((item) =>
      item.kind === "entry"
        ? [`${indent}${goJsonString(item.key)}: ${valueJson(item.value, depth + 1)}`]
        : [],
    );
    return parts.length === 0 ? "{}" : `{\n${parts.join(",\n")}\n${close}}`;
  }
  if (value.kind === "seq") {
    const parts = value.items.flatMap((item) =>
      item.kind === "comment" ? [] : [`${indent}${valueJson(item, depth + 1)}`],
    );
    return parts.length === 0 ? "[]" : `[\n${parts.join(",\n")}\n${close}]`;
  }
  return leafJson(value);
}

/** The plaintext as `sops --decrypt` prints a JSON file: tab-indented, comments dropped. */
export function emitJson(tree: Branch): string {
  return valueJson(tree, 0) + "\n";
}
