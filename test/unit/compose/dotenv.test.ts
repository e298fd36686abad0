import { describe, expect, it } from "vitest";

import { RenderError } from "../../../src/errors.js";
import { parseDotenv } from "../../../src/compose/dotenv.js";
import type { VariableLookup } from "../../../src/compose/interpolate.js";

const FILE = "stacks/web/.env";

function lookupFrom(variables: Record<string, string>): VariableLookup {
  return (name) => (Object.hasOwn(variables, name) ? variables[name] : undefined);
}

function parse(text: string, lookup?: VariableLookup): Record<string, string> {
  return Object.fromEntries(parseDotenv(text, FILE, lookup));
}

function value(line: string): string | undefined {
  return parseDotenv(line, FILE).get("FOO");
}

function parseError(text: string, lookup?: VariableLookup): RenderError {
  try {
    parseDotenv(text, FILE, lookup);
  } catch (error) {
    if (error instanceof RenderError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(text)} to fail`);
}

describe("parseDotenv: lines and keys", () => {
  it("reads KEY=value lines in order, skipping blank lines and comments", () => {
    const variables = parseDotenv("# header\n\nB=2\n   # indented comment\n\t\nA=1\r\nC=3", FILE);
    expect([...variables]).toEqual([
      ["B", "2"],
      ["A", "1"],
      ["C", "3"],
    ]);
  });

  it("returns an empty map for an empty file or one with only comments", () => {
    expect(parseDotenv("", FILE).size).toBe(0);
    expect(parseDotenv("\n\r\n\t\t \n# only a comment", FILE).size).toBe(0);
  });

  it("accepts spaces around the key and before the value", () => {
    expect(parse("A = 1\n B =2\n\tC= 3\n   D=4")).toEqual({ A: "1", B: "2", C: "3", D: "4" });
  });

  it("accepts the YAML-like KEY: value form", () => {
    expect(parse("OPTION_A: 1\nOPTION_B: Foo=bar\nOPTION_C:x")).toEqual({
      OPTION_A: "1",
      OPTION_B: "Foo=bar",
      OPTION_C: "x",
    });
  });

  it("splits at the first = or :, keeping the rest in the value", () => {
    expect(parse("A=1:B\nB=foobar=\nC==x")).toEqual({ A: "1:B", B: "foobar=", C: "=x" });
  });

  it("ignores an export prefix followed by whitespace", () => {
    expect(parse("export A=2\nexport\tB=3\n  export C='x'")).toEqual({ A: "2", B: "3", C: "x" });
  });

  it("treats export without whitespace after it as part of the key", () => {
    expect(parse("exportFOO=1\nexport_FOO=2\nexport.FOO=3\nexport exportFoo=4")).toEqual({
      exportFOO: "1",
      export_FOO: "2",
      "export.FOO": "3",
      exportFoo: "4",
    });
  });

  it("accepts letters and digits of any script, and _ . - [ ] in keys", () => {
    expect(parse("VAR.WITH.DOTS=a\nVAR-WITH-DASHES=b\nARR[0]=c\nÉTÉ=d\n456=e\n_x=f")).toEqual({
      "VAR.WITH.DOTS": "a",
      "VAR-WITH-DASHES": "b",
      "ARR[0]": "c",
      ÉTÉ: "d",
      "456": "e",
      _x: "f",
    });
  });

  it("lets a later definition replace an earlier one, keeping the first position", () => {
    const variables = parseDotenv("A=1\nB=2\nA=3", FILE);
    expect([...variables]).toEqual([
      ["A", "3"],
      ["B", "2"],
    ]);
  });

  it("skips a UTF-8 byte order mark", () => {
    expect(parse("\uFEFFOPTION_A=1\nOPTION_B=2")).toEqual({ OPTION_A: "1", OPTION_B: "2" });
  });

  it("accepts an empty key, as compose does", () => {
    expect(parse('="value"')).toEqual({ "": "value" });
  });
});

describe("parseDotenv: a key without a value", () => {
  it("takes the value of a key alone on its line from the lookup", () => {
    const lookup = lookupFrom({ FROM_ENV: "env value" });
    expect(parse("foo=bar\nFROM_ENV\nbar=baz\n", lookup)).toEqual({
      foo: "bar",
      FROM_ENV: "env value",
      bar: "baz",
    });
  });

  it("leaves the key out when the lookup does not have it", () => {
    expect(parse("NOT_FOUND\nA=1")).toEqual({ A: "1" });
    expect(parse("NOT_FOUND\n", lookupFrom({}))).toEqual({});
  });

  it("treats a key alone on the last line without a newline the same way", () => {
    expect(parse("A=1\nFROM_ENV", lookupFrom({ FROM_ENV: "x" }))).toEqual({ A: "1", FROM_ENV: "x" });
    expect(parse("A=1\nFROM_ENV  ")).toEqual({ A: "1" });
  });

  it("keeps an empty value for KEY= and KEY=<spaces>", () => {
    expect(parse("A=\nB = \nC=")).toEqual({ A: "", B: "", C: "" });
  });
});

describe("parseDotenv: unquoted values", () => {
  it("trims trailing whitespace", () => {
    expect(value("FOO=bar  \t")).toBe("bar");
    expect(value("FOO=bar\r\n")).toBe("bar");
  });

  it("strips an inline comment that follows a space", () => {
    expect(value("FOO=bar # this is foo")).toBe("bar");
    expect(value("FOO=bar #this is foo")).toBe("bar");
    expect(value("FOO=bar #")).toBe("bar");
    expect(value("FOO = my string # Inline comment")).toBe("my string");
  });

  it("keeps a # that does not follow a space", () => {
    expect(value("FOO=123#not-a-comment")).toBe("123#not-a-comment");
    expect(value("FOO=a\t#b")).toBe("a\t#b");
    // The spaces after = are dropped before the value is read, so no space precedes this #.
    expect(value("FOO= #bar")).toBe("#bar");
  });

  it("keeps backslashes and quotes inside the value as written", () => {
    expect(value("FOO=a\\tb")).toBe("a\\tb");
    expect(value('FOO=it\'s "x"')).toBe('it\'s "x"');
  });
});

describe("parseDotenv: single-quoted values", () => {
  it("keeps the text literally, without escapes or interpolation", () => {
    expect(value("FOO='bar'")).toBe("bar");
    expect(value("FOO=''")).toBe("");
    expect(value("FOO='\\n'")).toBe("\\n");
    expect(value("FOO='quote $HOME ${X:?boom}'")).toBe("quote $HOME ${X:?boom}");
    expect(value("FOO='ba#r' # comment")).toBe("ba#r");
  });

  it("unescapes only an escaped single quote", () => {
    expect(value("FOO='Let\\'s go!'")).toBe("Let's go!");
    expect(value("FOO='a\\\\b'")).toBe("a\\\\b");
  });

  it("spans lines", () => {
    const variables = parse("FOO = 'first line\nsecond line\nand so on'\nBAR=1");
    expect(variables).toEqual({ FOO: "first line\nsecond line\nand so on", BAR: "1" });
  });
});

describe("parseDotenv: double-quoted values", () => {
  it("keeps # and single quotes inside the quotes, and drops a comment after them", () => {
    expect(value('FOO="bar#baz" # comment')).toBe("bar#baz");
    expect(value('FOO="bar#baz"#')).toBe("bar#baz");
    expect(value("FOO=\"echo 'asd'\" # Inline comment")).toBe("echo 'asd'");
    expect(value('FOO=""')).toBe("");
  });

  it('expands \\n \\t \\r \\a \\b \\f \\v \\\\ and \\"', () => {
    expect(value('FOO="Z\\aZ\\bZ\\fZ\\nZ\\rZ\\tZ\\vZ\\\\Z"')).toBe("Z\x07Z\bZ\fZ\nZ\rZ\tZ\vZ\\Z");
    expect(value('FOO="escaped\\"bar"')).toBe('escaped"bar');
    expect(value('FOO="\\"quoted\\""')).toBe('"quoted"');
    expect(value('FOO="bar\\nbaz\\\\"')).toBe("bar\nbaz\\");
    expect(value('FOO="bar\\\\r\\ b\\az"')).toBe("bar\\r\\ b\x07z");
  });

  it("expands \\0 followed by three octal digits, and nothing shorter or larger", () => {
    expect(value('FOO="\\0123"')).toBe("S");
    expect(value('FOO="\\01234"')).toBe("S4");
    expect(value('FOO="\\012"')).toBe("\\012");
    expect(value('FOO="\\0"')).toBe("\\0");
    expect(value('FOO="\\0777"')).toBe("\\0777");
    expect(value('FOO="\\0089"')).toBe("\\0089");
  });

  it("keeps other backslash sequences as written", () => {
    expect(value('FOO="\\x07 \\u12e4 \\U00101234 \\c \\ "')).toBe("\\x07 \\u12e4 \\U00101234 \\c \\ ");
  });

  it("turns \\$ into a literal dollar that is not interpolated", () => {
    expect(value('FOO="foo\\$BAR"')).toBe("foo$BAR");
    expect(value('FOO="foo\\${BAR}"')).toBe("foo${BAR}");
    expect(parse('BAR=test\nFOO="foo\\${BAR} ${BAR}"')).toEqual({ BAR: "test", FOO: "foo${BAR} test" });
  });

  it("spans lines, real newlines and \\n alike", () => {
    expect(parse('FOO="a\nmultiline\\nvalue"\nBAR=1')).toEqual({ FOO: "a\nmultiline\nvalue", BAR: "1" });
  });

  it("reads what follows the closing quote on the same line as the next statement", () => {
    expect(parse('A="1" B=2')).toEqual({ A: "1", B: "2" });
  });
});

describe("parseDotenv: interpolation", () => {
  it("interpolates unquoted and double-quoted values with keys defined earlier in the file", () => {
    expect(parse("A=1\nB=${A}\nC=$B\nD=${A}_${B}\nE=\"quote $A\"\nF='$A'")).toEqual({
      A: "1",
      B: "1",
      C: "1",
      D: "1_1",
      E: "quote 1",
      F: "$A",
    });
  });

  it("does not see keys defined later in the file", () => {
    expect(parse("B=${A:-later}\nA=1")).toEqual({ B: "later", A: "1" });
  });

  it("prefers the lookup over keys defined earlier in the file", () => {
    const lookup = lookupFrom({ OPTION_A: "5" });
    expect(parse("OPTION_A=1\nOPTION_B=${OPTION_A}\nOPTION_C=${UNSET}", lookup)).toEqual({
      OPTION_A: "1",
      OPTION_B: "5",
      OPTION_C: "",
    });
    expect(parse("OPTION_A=${OPTION_A:-1}\nOPTION_B=$OPTION_A", lookup)).toEqual({
      OPTION_A: "5",
      OPTION_B: "5",
    });
  });

  it("supports every operator and $$", () => {
    const lookup = lookupFrom({ SET: "s", EMPTY: "" });
    expect(
      parse("A=${UNSET:-d}\nB=${EMPTY-d}\nC=${SET:+alt}\nD=${EMPTY+alt}\nE=$$SET\nF=${SET:?x}", lookup),
    ).toEqual({ A: "d", B: "", C: "alt", D: "alt", E: "$SET", F: "s" });
  });

  it("warns about unset variables with the file and line", () => {
    const warnings: string[] = [];
    const variables = parseDotenv("A=1\n\nB=x${MISSING}y", FILE, undefined, (message) =>
      warnings.push(message),
    );
    expect(variables.get("B")).toBe("xy");
    expect(warnings).toEqual([`variable "MISSING" is not set, using an empty string (${FILE}:3)`]);
  });

  it("fails on a missing required variable, naming the file and line", () => {
    const error = parseError('A=1\nB="${DB_PASSWORD:?set the password}"');
    expect(error.message).toContain(
      `${FILE}:2: required variable DB_PASSWORD is missing a value: set the password`,
    );
    expect(error.subject).toBe(`${FILE}:2`);
  });

  it("fails on an invalid interpolation, naming the file and line", () => {
    expect(parseError("A=1\n# note\nB=${oops").message).toContain(
      `${FILE}:3: invalid interpolation format in "\${oops"`,
    );
  });
});

describe("parseDotenv: malformed lines", () => {
  it("rejects a key with a space inside, naming the line", () => {
    const error = parseError('# some comments\nfoo="\n  a\n  multiline\n  value\n"\nINVALID LINE\nzot=qix');
    expect(error).toBeInstanceOf(RenderError);
    expect(error.subject).toBe(`${FILE}:7`);
    expect(error.message).toContain('key "INVALID LINE" cannot contain a space');
    expect(parseError("MY KEY=1").message).toContain('key "MY KEY" cannot contain a space');
  });

  it("rejects characters that cannot appear in a key", () => {
    const error = parseError("A=1\nlol$wut");
    expect(error.subject).toBe(`${FILE}:2`);
    expect(error.message).toContain('unexpected character "$" in variable name "lol$wut"');
    expect(parseError("A/B=1").message).toContain('unexpected character "/"');
    expect(parseError('"A"=1').message).toContain(`unexpected character ${JSON.stringify('"')}`);
  });

  it.each([
    'KEY="',
    'KEY="value',
    'KEY="value\\"',
    "KEY=\"value'",
    "KEY='",
    "KEY='value",
    "KEY='value\\'",
    "KEY='value\"",
  ])("rejects the unterminated quoted value %j", (text) => {
    const error = parseError(`A=1\n${text}\nB=2`);
    expect(error.message).toContain("unterminated quoted value");
    expect(error.subject).toBe(`${FILE}:2`);
  });

  it("rejects export with nothing after it", () => {
    expect(parseError("A=1\nexport ").subject).toBe(`${FILE}:2`);
  });
});
