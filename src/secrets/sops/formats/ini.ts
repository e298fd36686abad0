/**
 * INI the way sops's INI store reads and writes it (getsops/sops `stores/ini/store.go`), which
 * goes through go-ini (gopkg.in/ini.v1, `parser.go` and `file.go` `writeToBuffer`) with
 * non-unique sections allowed and every other option at its default:
 *
 * - keys before the first section belong to `DEFAULT`, which always exists;
 * - `key = value` or `key: value`, both trimmed; `"""…"""` spans lines (sops 3.13.0/3.13.1 wrote
 *   metadata that way); a backtick-quoted value is literal; `"…"`/`'…'` around a value are
 *   dropped; a trailing `\` continues the value on the next line; `#`/`;` starts an inline comment;
 * - comment lines attach to the section or key that follows them; sops stores a key's comment
 *   after the key, and a section's comment as the section's first item.
 *
 * A value's AAD is `section:key:`; a comment's is `section:`. The `[sops]` section holds the
 * flattened metadata, with newlines written as `\n`.
 */
import { valToString } from "../render.js";
import type { Branch, CommentNode, Entry } from "../tree.js";
import { FormatProblem } from "./problem.js";

const DEFAULT_SECTION = "DEFAULT";

interface IniKey {
  name: string;
  value: string;
  comment: string;
}

interface IniSection {
  name: string;
  comment: string;
  keys: IniKey[];
  /** go-ini keeps one key per name: a repeated key updates the first. */
  byName: Map<string, IniKey>;
}

function newSection(name: string, comment: string): IniSection {
  return { name, comment, keys: [], byName: new Map() };
}

class IniParser {
  private lines: string[];
  private index = 0;
  private comment = "";

  constructor(text: string) {
    this.lines = text.split(/(?<=\n)/);
  }

  private next(): string | undefined {
    return this.lines[this.index++];
  }

  private fail(what: string): never {
    throw new FormatProblem(`is not valid INI: ${what} at line ${this.index}`);
  }

  parse(): IniSection[] {
    let section = newSection(DEFAULT_SECTION, "");
    const sections = [section];
    let counter = 1;
    for (let raw = this.next(); raw !== undefined; raw = this.next()) {
      const line = raw.trimStart();
      if (line.length === 0) continue;
      if (line[0] === "#" || line[0] === ";") {
        this.comment += line;
        continue;
      }
      if (line[0] === "[") {
        const close = line.lastIndexOf("]");
        if (close === -1) this.fail("unclosed section header");
        const name = line.slice(1, close);
        if (name.length === 0) this.fail("empty section name");
        const inline = /[#;].*/s.exec(line.slice(close + 1));
        if (inline) this.comment += inline[0];
        section = newSection(name, this.comment.trim());
        sections.push(section);
        this.comment = "";
        counter = 1;
        continue;
      }
      const [keyName, offset] = this.keyName(line);
      const name = keyName === "-" ? `#${counter++}` : keyName;
      const value = this.value(line.slice(offset));
      const existing = section.byName.get(name);
      const comment = this.comment.trim();
      this.comment = "";
      if (existing) {
        existing.value = value;
        existing.comment = comment;
      } else {
        const key = { name, value, comment };
        section.keys.push(key);
        section.byName.set(name, key);
      }
    }
    return sections;
  }

  private keyName(line: string): [string, number] {
    let quote = "";
    if (line.startsWith('"""') && line.length > 6) quote = '"""';
    else if (line[0] === '"') quote = '"';
    else if (line[0] === "`") quote = "`";
    if (quote) {
      const close = line.indexOf(quote, quote.length);
      if (close === -1) this.fail("missing closing key quote");
      const delimiter = line.slice(close + quote.length).search(/[=:]/);
      if (delimiter === -1) this.fail("key without '='");
      return [line.slice(quote.length, close).trim(), close + delimiter + quote.length + 1];
    }
    const delimiter = line.search(/[=:]/);
    if (delimiter === -1) this.fail("a line that is neither a section, a key nor a comment");
    if (delimiter === 0) this.fail("empty key name");
    return [line.slice(0, delimiter).trim(), delimiter + 1];
  }

  private value(input: string): string {
    let line = input.trimStart();
    if (line.length === 0) return "";
    let quote = "";
    if (line.length > 3 && line.startsWith('"""')) quote = '"""';
    else if (line[0] === "`") quote = "`";
    if (quote) {
      const rest = line.slice(quote.length);
      const close = rest.lastIndexOf(quote);
      if (close !== -1) return rest.slice(0, close);
      let value = rest;
      for (;;) {
        const next = this.next();
        if (next === undefined) this.fail("missing closing quote of a multi-line value");
        const end = next.lastIndexOf(quote);
        if (end !== -1) {
          value += next.slice(0, end);
          const inline = /[#;].*/s.exec(next.slice(end));
          if (inline) this.comment += inline[0].trim();
          return value;
        }
        value += next;
      }
    }
    line = line.trim();
    if (line.endsWith("\\")) {
      let value = line.slice(0, -1);
      for (;;) {
        const next = this.next();
        if (next === undefined) break;
        const trimmed = next.trim();
        if (trimmed.length === 0) break;
        value += trimmed;
        if (!value.endsWith("\\")) break;
        value = value.slice(0, -1);
      }
      return value;
    }
    const hash = line.search(/[#;]/);
    if (hash !== -1) {
      this.comment += line.slice(hash);
      line = line.slice(0, hash).trim();
    }
    for (const q of ["'", '"']) {
      if (
        line.length >= 2 &&
        line.startsWith(q) &&
        line.endsWith(q) &&
        line.indexOf(q, 1) === line.length - 1
      ) {
        return line.slice(1, -1);
      }
    }
    return line;
  }
}

/** sops's `stripCommentChar`: the leading `;`/`#` run of the first line, with spaces. */
function stripCommentChar(comment: string): string {
  if (comment.startsWith(";")) return comment.replace(/^[; ]+/, "");
  if (comment.startsWith("#")) return comment.replace(/^[# ]+/, "");
  return comment;
}

export function parseIni(text: string): Branch {
  const sections = new IniParser(text.replace(/^\uFEFF/, "")).parse();
  const items: Entry[] = sections.map((section) => {
    const children: (Entry | CommentNode)[] = [];
    if (section.comment !== "") {
      children.push({ kind: "comment", text: stripCommentChar(section.comment), inline: false });
    }
    for (const key of section.keys) {
      children.push({ kind: "entry", key: key.name, value: { kind: "str", value: key.value } });
      if (key.comment !== "")
        children.push({ kind: "comment", text: stripCommentChar(key.comment), inline: false });
    }
    return { kind: "entry", key: section.name, value: { kind: "branch", items: children } };
  });
  return { kind: "branch", items };
}

function commentLines(comment: string, trimPlain: boolean): string {
  return comment
    .split("\n")
    .map((line) => {
      if (line.startsWith("#") || line.startsWith(";")) return `${line[0]} ${line.slice(1).trim()}`;
      return "; " + (trimPlain ? line.trim() : line);
    })
    .map((line) => line + "\n")
    .join("");
}

function quoteKey(name: string): string {
  if (name.includes('"') || /[=:]/.test(name)) return "`" + name + "`";
  if (name.includes("`")) return '"""' + name + '"""';
  return name;
}

function quoteValue(value: string): string {
  if (/[\n`]/.test(value)) return '"""' + value + '"""';
  if (/[#;]/.test(value)) return "`" + value + "`";
  if (value.trim().length !== value.length) return `"${value}"`;
  return value;
}

/** The plaintext as `sops --decrypt` prints an INI file (go-ini's pretty format). */
export function emitIni(tree: Branch): string {
  const sections: IniSection[] = [];
  for (const item of tree.items) {
    if (item.kind !== "entry") continue;
    if (item.value.kind !== "branch")
      throw new FormatProblem(`has a top-level value ${item.key} outside any section`);
    const children = item.value.items;
    const section = newSection(item.key, "");
    let first = 0;
    const head = children[0];
    if (head?.kind === "comment") {
      section.comment = head.text;
      first = 1;
    }
    let last: IniKey | undefined;
    for (const child of children.slice(first)) {
      if (child.kind === "comment") {
        if (last) last.comment = child.text;
        continue;
      }
      if (child.value.kind === "branch" || child.value.kind === "seq") {
        throw new FormatProblem(
          `holds a nested value under ${item.key}.${child.key}, which INI cannot represent`,
        );
      }
      const value = valToString(child.value);
      const existing = section.byName.get(child.key);
      if (existing) existing.value = value;
      last = existing ?? { name: child.key, value, comment: "" };
      if (!existing) {
        section.keys.push(last);
        section.byName.set(child.key, last);
      }
    }
    sections.push(section);
  }
  let out = "";
  sections.forEach((section, index) => {
    if (section.comment.length > 0) out += commentLines(section.comment, false);
    if (index > 0 || section.name.toUpperCase() !== DEFAULT_SECTION) out += `[${section.name}]\n`;
    else if (section.keys.length === 0) return;
    const width = Math.max(0, ...section.keys.map((key) => quoteKey(key.name).length));
    for (const key of section.keys) {
      if (key.comment.length > 0) out += commentLines(key.comment, true);
      const name = quoteKey(key.name);
      out += `${name}${" ".repeat(width - name.length)} = ${quoteValue(key.value)}\n`;
    }
    if (index < sections.length - 1) out += "\n";
  });
  return out;
}
