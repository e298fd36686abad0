/**
 * Go (RE2) regular expressions, as used by sops's `encrypted_regex` and friends, run with JS
 * RegExp. sops calls `regexp.Match(pattern, key)`: an unanchored search, and a pattern that does
 * not compile simply never matches. The translation covers RE2's syntax that differs from JS:
 * leading `(?flags)`, `(?P<name>…)`, `\A`, `\z`, `\Q…\E`, `[[:alpha:]]`, `\pL`, `\x{…}`, Go's `\s`
 * and `.`; anything else RE2 has and JS lacks is reported as unsupported rather than guessed.
 */

export type GoRegex = { readonly kind: "regex"; readonly regex: RegExp } | { readonly kind: "never" };

export class UnsupportedGoRegex extends Error {}

const POSIX_CLASSES: Record<string, string> = {
  alnum: "0-9A-Za-z",
  alpha: "A-Za-z",
  ascii: "\\x00-\\x7F",
  blank: "\\t ",
  cntrl: "\\x00-\\x1F\\x7F",
  digit: "0-9",
  graph: "!-~",
  lower: "a-z",
  print: " -~",
  punct: "!-\\/:-@\\[-`{-~",
  space: "\\t\\n\\v\\f\\r ",
  upper: "A-Z",
  word: "0-9A-Za-z_",
  xdigit: "0-9A-Fa-f",
};

const JS_SYNTAX = new Set("^$\\.*+?()[]{}|/".split(""));
const GO_SPACE = "\\t\\n\\f\\r ";

function codePoint(cp: number): string {
  return `\\u{${cp.toString(16)}}`;
}

class Translator {
  private i = 0;
  private out = "";
  constructor(
    private readonly src: string,
    private readonly dotAll: boolean,
  ) {}

  run(): string {
    while (this.i < this.src.length) this.atom(false);
    return this.out;
  }

  private peek(offset = 0): string | undefined {
    return this.src[this.i + offset];
  }

  private atom(inClass: boolean): void {
    const c = this.src[this.i] as string;
    if (c === "\\") return this.escape(inClass);
    if (!inClass && c === "[") return this.charClass();
    if (!inClass && c === "(") return this.group();
    if (!inClass && c === "{" && /^\{\d+(,\d*)?\}/.test(this.src.slice(this.i))) {
      const m = /^\{\d+(,\d*)?\}/.exec(this.src.slice(this.i)) as RegExpExecArray;
      this.i += m[0].length;
      this.out += m[0];
      return;
    }
    if (!inClass && c === ".") {
      this.i++;
      this.out += this.dotAll ? "[\\s\\S]" : "[^\\n]";
      return;
    }
    if (!inClass && c === "{" && !/^\{\d+(,\d*)?\}/.test(this.src.slice(this.i))) {
      // RE2 reads a brace that is not a repeat count as a literal; JS (u) would refuse it.
      this.i++;
      this.out += "\\{";
      return;
    }
    if (!inClass && (c === "}" || c === "]")) {
      this.i++;
      this.out += "\\" + c;
      return;
    }
    const cp = this.src.codePointAt(this.i) as number;
    const ch = String.fromCodePoint(cp);
    this.i += ch.length;
    this.out += inClass && (ch === "/" || ch === "[") ? codePoint(cp) : ch;
  }

  private group(): void {
    if (this.peek(1) !== "?") {
      this.i++;
      this.out += "(";
      return;
    }
    const rest = this.src.slice(this.i);
    const named = /^\(\?P?<([A-Za-z_][A-Za-z0-9_]*)>/.exec(rest);
    if (named) {
      this.i += named[0].length;
      this.out += `(?<${named[1]}>`;
      return;
    }
    if (rest.startsWith("(?:")) {
      this.i += 3;
      this.out += "(?:";
      return;
    }
    throw new UnsupportedGoRegex("inline flags are only supported at the start of the pattern");
  }

  private charClass(): void {
    this.i++;
    this.out += "[";
    if (this.peek() === "^") {
      this.i++;
      this.out += "^";
    }
    // A `]` right after `[` or `[^` is a literal in RE2.
    if (this.peek() === "]") {
      this.i++;
      this.out += "\\]";
    }
    while (this.i < this.src.length && this.peek() !== "]") {
      const posix = /^\[:(\^?)([a-z]+):\]/.exec(this.src.slice(this.i));
      if (posix) {
        const ranges = POSIX_CLASSES[posix[2] as string];
        if (ranges === undefined || posix[1]) throw new UnsupportedGoRegex("unsupported POSIX class");
        this.i += posix[0].length;
        this.out += ranges;
        continue;
      }
      this.atom(true);
    }
    if (this.peek() !== "]") throw new SyntaxError("missing ]");
    this.i++;
    this.out += "]";
  }

  private escape(inClass: boolean): void {
    const c = this.peek(1);
    if (c === undefined) throw new SyntaxError("trailing backslash");
    this.i += 2;
    switch (c) {
      case "A":
        this.out += "(?<![\\s\\S])";
        return;
      case "z":
        this.out += "(?![\\s\\S])";
        return;
      case "Q": {
        const end = this.src.indexOf("\\E", this.i);
        const literal = this.src.slice(this.i, end === -1 ? undefined : end);
        this.i = end === -1 ? this.src.length : end + 2;
        for (const ch of literal) this.out += codePoint(ch.codePointAt(0) as number);
        return;
      }
      case "s":
        this.out += inClass ? GO_SPACE : `[${GO_SPACE}]`;
        return;
      case "S":
        if (inClass) throw new UnsupportedGoRegex("\\S inside a class");
        this.out += `[^${GO_SPACE}]`;
        return;
      case "d":
      case "D":
      case "w":
      case "W":
      case "b":
      case "B":
      case "t":
      case "n":
      case "r":
      case "f":
      case "v":
        this.out += "\\" + c;
        return;
      case "a":
        this.out += "\\x07";
        return;
      case "p":
      case "P": {
        const m = /^(\{\^?[A-Za-z_]+\}|[A-Za-z])/.exec(this.src.slice(this.i));
        if (!m) throw new SyntaxError("bad \\p");
        this.i += m[0].length;
        let name = m[0].startsWith("{") ? m[0].slice(1, -1) : m[0];
        let upper = c === "P";
        if (name.startsWith("^")) {
          name = name.slice(1);
          upper = !upper;
        }
        const property = name === "Any" ? "Any" : name.length <= 2 ? name : `Script=${name}`;
        if (name === "Any") {
          this.out += upper ? "[^\\s\\S]" : "[\\s\\S]";
          return;
        }
        this.out += `\\${upper ? "P" : "p"}{${property}}`;
        return;
      }
      case "x": {
        const m = /^(\{[0-9A-Fa-f]+\}|[0-9A-Fa-f]{2})/.exec(this.src.slice(this.i));
        if (!m) throw new SyntaxError("bad \\x");
        this.i += m[0].length;
        this.out += codePoint(parseInt(m[0].replace(/[{}]/g, ""), 16));
        return;
      }
    }
    if (/[0-7]/.test(c)) {
      const m = /^[0-7]{0,2}/.exec(this.src.slice(this.i)) as RegExpExecArray;
      if (c !== "0" && m[0].length === 0) throw new SyntaxError("backreferences are not RE2");
      this.i += m[0].length;
      this.out += codePoint(parseInt(c + m[0], 8));
      return;
    }
    if (/[A-Za-z0-9]/.test(c)) throw new SyntaxError("invalid escape");
    this.out += JS_SYNTAX.has(c) ? "\\" + c : codePoint(c.codePointAt(0) as number);
  }
}

/**
 * Compiles a Go regex. `{kind: "never"}` when Go would not compile it (sops then never matches);
 * throws UnsupportedGoRegex when it is valid RE2 this translation cannot express.
 */
export function compileGoRegex(pattern: string): GoRegex {
  let flags = "u";
  let body = pattern;
  let dotAll = false;
  const lead = /^\(\?([imsU]+)\)/.exec(pattern);
  if (lead) {
    const letters = lead[1] as string;
    if (letters.includes("U")) throw new UnsupportedGoRegex("the U (ungreedy) flag");
    if (letters.includes("i")) flags += "i";
    if (letters.includes("m")) flags += "m";
    dotAll = letters.includes("s");
    body = pattern.slice(lead[0].length);
  }
  try {
    return { kind: "regex", regex: new RegExp(new Translator(body, dotAll).run(), flags) };
  } catch (error) {
    if (error instanceof UnsupportedGoRegex) throw error;
    return { kind: "never" };
  }
}

export function goRegexMatches(regex: GoRegex, text: string): boolean {
  return regex.kind === "regex" && regex.regex.test(text);
}
