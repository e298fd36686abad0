/**
 * `.env` parsing with the semantics of `docker compose` (compose-go's `dotenv` package), so the
 * variables a stack sees here are the ones it would see on a developer's machine.
 *
 * - Blank lines and lines starting with `#` are skipped; `export ` before a key is ignored.
 * - `KEY=value` and `KEY: value`; spaces around the key and before the value are dropped.
 * - Unquoted values end at the line's end, lose a ` #` comment and trailing whitespace, and are
 *   interpolated.
 * - Single-quoted values are literal (only `\'` is unescaped) and may span lines.
 * - Double-quoted values may span lines, understand `\n \t \r \a \b \f \v \\ \" \$` and `\0ooo`
 *   octal escapes, and are interpolated.
 * - A key alone on its line takes its value from `lookup`, and is left out when `lookup` has none.
 */

import { RenderError } from "../errors.js";
import { GO_SPACE_CHARACTER } from "../util/go-whitespace.js";
import { interpolateString } from "./interpolate.js";
import type { VariableLookup } from "./interpolate.js";

/**
 * Parses a `.env` file's text. `file` names it in errors (`file:line`). Interpolation looks a name
 * up in `lookup` first and then among the keys defined earlier in the file, as compose does: the
 * caller's environment wins over the file. `warn` receives notices of unset variables.
 */
export function parseDotenv(
  text: string,
  file: string,
  lookup?: VariableLookup,
  warn?: (message: string) => void,
): Map<string, string> {
  const source = text.startsWith(BYTE_ORDER_MARK) ? text.slice(BYTE_ORDER_MARK.length) : text;
  return new DotenvParser(source, file, lookup ?? (() => undefined), warn).parse();
}

const BYTE_ORDER_MARK = "\uFEFF";

/** The parser's "space inside a line": like the above but without line breaks and the rarer spaces. */
const INLINE_SPACE = /[\t\v\f\r \u0085\u00A0]/;

/** compose-go accepts letters and digits of any script plus these in a key. */
const KEY_PUNCTUATION = new Set(["_", ".", "-", "[", "]"]);
const KEY_LETTER_OR_DIGIT = /^[\p{L}\p{N}]$/u;

/** `export` counts as a prefix only when whitespace (Go's `\s`, which includes a newline) follows. */
const EXPORT_PREFIX = /^export[\t\n\f\r ]/;

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  a: "\x07",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
  v: "\v",
  "\\": "\\",
  '"': '"',
};

/** The escapes compose-go expands in double quotes; anything else (`\x41`, `\u00e9`...) stays as written. */
const ESCAPE_SEQUENCE = /\\(?:[abcfnrtv$"\\]|0[0-9]{0,3})/g;

interface KeyToken {
  key: string;
  /** A key alone on its line: its value comes from the environment. */
  inherited: boolean;
  /** Where the value (or the next statement, for an inherited key) starts. */
  next: number;
}

interface ValueToken {
  value: string;
  next: number;
}

class DotenvParser {
  private readonly variables = new Map<string, string>();
  private readonly lineCursor = { position: 0, line: 1 };

  constructor(
    private readonly text: string,
    private readonly file: string,
    private readonly lookup: VariableLookup,
    private readonly warn: ((message: string) => void) | undefined,
  ) {}

  parse(): Map<string, string> {
    let position = this.statementStart(0);
    while (position !== -1) {
      const line = this.lineAt(position);
      const token = this.readKey(position, line);
      if (token.key.includes(" ")) {
        throw this.error(
          line,
          `key ${JSON.stringify(token.key)} cannot contain a space`,
          "write KEY=value, quoting a value that has spaces",
        );
      }
      if (token.inherited) {
        const value = this.lookup(token.key);
        if (value !== undefined) this.variables.set(token.key, value);
        position = this.statementStart(token.next);
        continue;
      }
      const { value, next } = this.readValue(token.next, line);
      this.variables.set(token.key, value);
      position = this.statementStart(next);
    }
    return this.variables;
  }

  /** Skips whitespace and comment lines; returns -1 at the end of the text. */
  private statementStart(from: number): number {
    let position = from;
    for (;;) {
      while (position < this.text.length && GO_SPACE_CHARACTER.test(this.text.charAt(position))) position++;
      if (position >= this.text.length) return -1;
      if (this.text[position] !== "#") return position;
      position = this.text.indexOf("\n", position);
      if (position === -1) return -1;
    }
  }

  private readKey(start: number, line: number): KeyToken {
    let keyStart = start;
    if (EXPORT_PREFIX.test(this.text.slice(start, start + 7))) {
      keyStart = this.skipInlineSpace(start + "export".length);
      if (keyStart >= this.text.length) throw this.error(line, "expected a variable name after export");
    }

    let position = keyStart;
    while (position < this.text.length) {
      const char = String.fromCodePoint(this.text.codePointAt(position) ?? 0);
      if (char === "=" || char === ":" || char === "\n") {
        const inherited = char === "\n";
        const key = trimEndUnicodeSpace(this.text.slice(keyStart, position));
        const next = inherited ? position + 1 : this.skipInlineSpace(position + 1);
        return { key, inherited, next };
      }
      if (!INLINE_SPACE.test(char) && !KEY_PUNCTUATION.has(char) && !KEY_LETTER_OR_DIGIT.test(char)) {
        const statement = this.text.slice(keyStart).split("\n", 1)[0] ?? "";
        throw this.error(
          line,
          `unexpected character ${JSON.stringify(char)} in variable name ${JSON.stringify(statement)}`,
          "a key may contain letters, digits, _ . - [ and ]",
        );
      }
      position += char.length;
    }
    // A key alone on the file's last line, without a newline. compose-go's parser misreads this
    // (it stores the name under an empty key); treating it like any other key alone on its line
    // gives what compose users see, since compose resolves such a name from the environment anyway.
    return { key: trimEndUnicodeSpace(this.text.slice(keyStart)), inherited: true, next: this.text.length };
  }

  private readValue(start: number, line: number): ValueToken {
    const quote = this.text[start];
    if (quote !== "'" && quote !== '"') return this.readUnquotedValue(start, line);

    // compose-go keeps every backslash except the one before the closing quote character; double
    // quotes then expand the escapes below.
    let raw = "";
    let escaping = false;
    for (let position = start + 1; position < this.text.length; position++) {
      const char = this.text.charAt(position);
      if (char === quote) {
        if (escaping) {
          escaping = false;
          raw += char;
          continue;
        }
        const value = quote === '"' ? this.interpolate(expandEscapes(raw), line) : raw;
        return { value, next: position + 1 };
      }
      if (escaping) {
        escaping = false;
        raw += "\\" + char;
      } else if (char === "\\") {
        escaping = true;
      } else {
        raw += char;
      }
    }
    const statement = this.text.slice(start).split("\n", 1)[0] ?? "";
    throw this.error(line, `unterminated quoted value ${statement}`, `close the value with ${quote}`);
  }

  private readUnquotedValue(start: number, line: number): ValueToken {
    const newline = this.text.indexOf("\n", start);
    const end = newline === -1 ? this.text.length : newline;
    let value = this.text.slice(start, end);
    // Only a `#` after a space starts a comment: `FOO=123#abc` keeps its `#`.
    const comment = value.indexOf(" #");
    if (comment !== -1) value = value.slice(0, comment);
    return { value: this.interpolate(trimEndUnicodeSpace(value), line), next: end + 1 };
  }

  private interpolate(value: string, line: number): string {
    return interpolateString(
      value,
      (name) => this.lookup(name) ?? this.variables.get(name),
      { label: `${this.file}:${line}`, location: () => ({ file: this.file, line }) },
      this.warn,
    );
  }

  private skipInlineSpace(from: number): number {
    let position = from;
    while (position < this.text.length && INLINE_SPACE.test(this.text.charAt(position))) position++;
    return position;
  }

  /** Statements are visited in order, so counting newlines resumes where the last call stopped. */
  private lineAt(position: number): number {
    for (let index = this.lineCursor.position; index < position; index++) {
      if (this.text[index] === "\n") this.lineCursor.line++;
    }
    this.lineCursor.position = Math.max(position, this.lineCursor.position);
    return this.lineCursor.line;
  }

  private error(line: number, message: string, hint?: string): RenderError {
    return new RenderError(message, {
      subject: `${this.file}:${line}`,
      location: { file: this.file, line },
      hint,
    });
  }
}

function expandEscapes(value: string): string {
  return value.replace(ESCAPE_SEQUENCE, (sequence) => {
    const letter = sequence.charAt(1);
    // `\$` must survive interpolation as a literal dollar, which interpolation spells `$$`.
    if (letter === "$") return "$$";
    if (letter === "0") return octalCharacter(sequence.slice(2)) ?? sequence;
    return SIMPLE_ESCAPES[letter] ?? sequence;
  });
}

/** `\0ooo` needs exactly three octal digits worth at most 255, as Go's UnquoteChar reads `\ooo`. */
function octalCharacter(digits: string): string | undefined {
  if (!/^[0-7]{3}$/.test(digits)) return undefined;
  const code = Number.parseInt(digits, 8);
  return code > 255 ? undefined : String.fromCharCode(code);
}

function trimEndUnicodeSpace(value: string): string {
  let end = value.length;
  while (end > 0 && GO_SPACE_CHARACTER.test(value.charAt(end - 1))) end--;
  return value.slice(0, end);
}
