/**
 * The Go behaviours the MAC and the selectors depend on. Expected values follow Go's documented
 * behaviour (strconv.FormatFloat, encoding/json, time.RFC3339, regexp/RE2 syntax) as sops uses it
 * in `sops.go` `ToBytes`, `aes/cipher.go` and `stores/stores.go`.
 */
import { describe, expect, it } from "vitest";
import {
  floatValToString,
  formatFloatF,
  formatFloatG,
  formatFloatJson,
  parseGoBool,
  parseGoFloat,
  parseGoInt,
  parseGoIntBase0,
} from "../../../src/secrets/sops/gonum.js";
import { compileGoRegex, goRegexMatches, UnsupportedGoRegex } from "../../../src/secrets/sops/goregex.js";
import { formatRfc3339, parseRfc3339, parseYamlTimestamp } from "../../../src/secrets/sops/gotime.js";
import { resolveScalar } from "../../../src/secrets/sops/formats/yaml-scalar.js";

describe("strconv", () => {
  it.each([
    [0.2, "0.2"],
    [7, "7"],
    [-0, "-0"],
    [1e21, "1000000000000000000000"],
    [1e-7, "0.0000001"],
    [123456789.125, "123456789.125"],
    [NaN, "NaN"],
    [Infinity, "+Inf"],
    [-Infinity, "-Inf"],
  ])("FormatFloat(%d, 'f', -1) = %s (the MAC bytes of a float)", (value, text) => {
    expect(formatFloatF(value)).toBe(text);
  });

  it.each([
    [1e6, "1e+06"],
    [123456, "123456"],
    [0.0001, "0.0001"],
    [0.00001, "1e-05"],
    [1.5e300, "1.5e+300"],
  ])("FormatFloat(%d, 'g', -1) = %s", (value, text) => {
    expect(formatFloatG(value)).toBe(text);
  });

  it.each([
    [7, "7"],
    [1e21, "1e+21"],
    [1e-7, "1e-7"],
    [1.5e-7, "1.5e-7"],
    [0.000001, "0.000001"],
    [1e20, "100000000000000000000"],
  ])("json.Marshal(%d) = %s", (value, text) => {
    expect(formatFloatJson(value)).toBe(text);
  });

  it("ValToString adds .0 to floats that would read as integers", () => {
    expect(floatValToString(7)).toBe("7.0");
    expect(floatValToString(0.5)).toBe("0.5");
    expect(floatValToString(1e6)).toBe("1E+06");
  });

  it("parses decrypted values like Atoi, ParseFloat and ParseBool", () => {
    expect(parseGoInt("+007")).toBe(7n);
    expect(parseGoInt("9223372036854775808")).toBeUndefined();
    expect(parseGoInt("1_000")).toBeUndefined();
    expect(parseGoFloat("1.")).toBe(1);
    expect(parseGoFloat("-Inf")).toBe(-Infinity);
    expect(parseGoFloat("1e400")).toBeUndefined();
    expect(parseGoBool("T")).toBe(true);
    expect(parseGoBool("yes")).toBeUndefined();
    expect(parseGoIntBase0("0x1F", false)).toBe(31n);
    expect(parseGoIntBase0("017", false)).toBe(15n);
    expect(parseGoIntBase0("08", false)).toBeUndefined();
    expect(parseGoIntBase0("18446744073709551615", true)).toBe(2n ** 64n - 1n);
  });
});

describe("yaml.v3 scalar resolution", () => {
  it.each([
    ["08", false, { kind: "float", value: 8 }],
    ["0b101", false, { kind: "int", value: 5n }],
    ["1_000", false, { kind: "int", value: 1000n }],
    ["yes", false, { kind: "str", value: "yes" }],
    ["True", false, { kind: "bool", value: true }],
    ["", false, { kind: "null" }],
    ["123", true, { kind: "str", value: "123" }],
    [".5", false, { kind: "float", value: 0.5 }],
    ["<<", false, { kind: "str", value: "<<" }],
  ])("%j (quoted: %s)", (text, quoted, leaf) => {
    expect(resolveScalar(text, quoted, undefined)).toEqual(leaf);
  });

  it("honours explicit tags", () => {
    expect(resolveScalar("5", true, "tag:yaml.org,2002:int")).toEqual({ kind: "int", value: 5n });
    expect(resolveScalar("1", false, "tag:yaml.org,2002:float")).toEqual({ kind: "float", value: 1 });
    expect(resolveScalar("12", false, "tag:yaml.org,2002:str")).toEqual({ kind: "str", value: "12" });
    expect(resolveScalar("aGk=", false, "tag:yaml.org,2002:binary")).toEqual({ kind: "str", value: "hi" });
    expect(() => resolveScalar("yes", false, "tag:yaml.org,2002:bool")).toThrow();
    expect(resolveScalar("x", false, "!custom")).toEqual({ kind: "str", value: "x" });
  });

  it("refuses integers beyond int64", () => {
    expect(() => resolveScalar("18446744073709551615", false, undefined)).toThrow(/beyond int64/);
  });
});

describe("time", () => {
  it("parses RFC 3339 and re-prints it as sops's MAC AAD (no fraction, Z for zero offset)", () => {
    const time = parseRfc3339("2024-02-29T23:59:59.123456789+00:00");
    expect(time).toBeDefined();
    expect(formatRfc3339(time!, false)).toBe("2024-02-29T23:59:59Z");
    expect(formatRfc3339(time!, true)).toBe("2024-02-29T23:59:59.123456789Z");
    expect(formatRfc3339(parseRfc3339("2024-01-01T01:02:03.50-05:30")!, true)).toBe(
      "2024-01-01T01:02:03.5-05:30",
    );
    expect(parseRfc3339("2023-02-29T00:00:00Z")).toBeUndefined();
    expect(parseRfc3339("2024-01-01 00:00:00Z")).toBeUndefined();
  });

  it("resolves yaml.v3's timestamp layouts only", () => {
    expect(formatRfc3339(parseYamlTimestamp("2001-12-14")!, true)).toBe("2001-12-14T00:00:00Z");
    expect(formatRfc3339(parseYamlTimestamp("2001-12-14 21:59:43.10")!, true)).toBe("2001-12-14T21:59:43.1Z");
    expect(formatRfc3339(parseYamlTimestamp("2001-12-14t21:59:43.10-05:00")!, true)).toBe(
      "2001-12-14T21:59:43.1-05:00",
    );
    expect(parseYamlTimestamp("2001-12-14 21:59:43.10 -5")).toBeUndefined();
    expect(parseYamlTimestamp("2001-12-14T21:59:43")).toBeUndefined();
  });
});

describe("Go regular expressions", () => {
  const matches = (pattern: string, text: string) => goRegexMatches(compileGoRegex(pattern), text);

  it("searches unanchored, like regexp.Match", () => {
    expect(matches("data", "stringData")).toBe(false);
    expect(matches("Data", "stringData")).toBe(true);
    expect(matches("^(data|stringData)$", "stringData")).toBe(true);
    expect(matches("^(data|stringData)$", "metadata")).toBe(false);
  });

  it("translates RE2-only syntax", () => {
    expect(matches("(?i)^password$", "PassWord")).toBe(true);
    expect(matches("\\Apass\\z", "pass")).toBe(true);
    expect(matches("\\Apass\\z", "pass\n")).toBe(false);
    expect(matches("^[[:upper:]]+$", "ABC")).toBe(true);
    expect(matches("^\\pL+$", "héllo")).toBe(true);
    expect(matches("^(?P<name>a)b$", "ab")).toBe(true);
    expect(matches("\\Qa.b\\E", "a.b")).toBe(true);
    expect(matches("\\Qa.b\\E", "axb")).toBe(false);
    expect(matches("a{", "a{")).toBe(true);
    expect(matches("^\\x{41}\\-$", "A-")).toBe(true);
    expect(matches("^a.b$", "a\nb")).toBe(false);
    expect(matches("(?s)^a.b$", "a\nb")).toBe(true);
  });

  it("never matches with a pattern Go would not compile (sops ignores the error)", () => {
    expect(compileGoRegex("(unclosed")).toEqual({ kind: "never" });
    expect(compileGoRegex("a\\1")).toEqual({ kind: "never" });
  });

  it("reports RE2 syntax it cannot translate", () => {
    expect(() => compileGoRegex("(?U)a+")).toThrow(UnsupportedGoRegex);
    expect(() => compileGoRegex("a(?i)b")).toThrow(UnsupportedGoRegex);
  });
});
