/**
 * The ENC value format and its types (getsops/sops `aes/cipher.go`): AES-256-GCM, 32-byte IV when
 * sops writes it (any non-empty IV length decrypts, as Go's NewGCMWithNonceSize(len(iv))),
 * 16-byte tag, base64 with padding, and str/int/float/bool/bytes/time/comment types.
 */
import { describe, expect, it } from "vitest";
import { openValue, parseEncValue, readPlaintext } from "../../../src/secrets/sops/cipher.js";
import { encryptValue } from "./helpers/encrypt.js";

const KEY = Buffer.alloc(32, 3);

describe("ENC values", () => {
  it("parses sops's format, with the 32-byte IV sops writes", () => {
    const parsed = parseEncValue(encryptValue(KEY, "a:", "hello"));
    expect(typeof parsed).toBe("object");
    if (typeof parsed === "string") return;
    expect(parsed.iv.length).toBe(32);
    expect(parsed.tag.length).toBe(16);
    expect(parsed.type).toBe("str");
    expect(openValue(parsed, KEY, "a:")?.toString()).toBe("hello");
    expect(openValue(parsed, KEY, "b:")).toBeUndefined();
    expect(openValue(parsed, Buffer.alloc(32, 4), "a:")).toBeUndefined();
  });

  it("opens values with other IV lengths, as Go sizes the nonce from the IV", () => {
    const parsed = parseEncValue(encryptValue(KEY, "a:", "x", "str", Buffer.alloc(12, 1)));
    if (typeof parsed === "string") throw new Error(parsed);
    expect(openValue(parsed, KEY, "a:")?.toString()).toBe("x");
  });

  it("ignores text after the closing bracket, as sops's unanchored pattern does", () => {
    const parsed = parseEncValue(encryptValue(KEY, "a:", "x") + "\r");
    expect(typeof parsed).toBe("object");
  });

  it.each([
    ["ENC[AES256_GCM,data:abc", "is not a sops ENC"],
    [
      "ENC[AES256_GCM,data:YQ,iv:YWFh,tag:AAAAAAAAAAAAAAAAAAAAAA==,type:str]",
      "data that is not valid base64",
    ],
    ["ENC[AES256_GCM,data:YQ==,iv:YWFh,tag:AAAA,type:str]", "tag that is not 16 bytes"],
    ["ENC[AES256_GCM,data:YQ==,iv:YWFh,tag:AAAAAAAAAAAAAAAAAAAAAA==,type:list]", "unknown type"],
  ])("refuses %s", (value, problem) => {
    expect(parseEncValue(value)).toContain(problem);
  });
});

describe("types", () => {
  const read = (type: Parameters<typeof readPlaintext>[0], text: string | Buffer, raw = false) =>
    readPlaintext(type, Buffer.from(text), raw);

  it("reads each type back", () => {
    expect(read("str", "s")).toMatchObject({ ok: true, leaf: { kind: "str", value: "s" } });
    expect(read("int", "-12")).toMatchObject({ ok: true, leaf: { kind: "int", value: -12n } });
    expect(read("float", "3.25")).toMatchObject({ ok: true, leaf: { kind: "float", value: 3.25 } });
    expect(read("bool", "False")).toMatchObject({ ok: true, leaf: { kind: "bool", value: false } });
    expect(read("bytes", "b")).toMatchObject({ ok: true, leaf: { kind: "bytes" }, text: "b" });
    expect(read("comment", " c")).toMatchObject({ ok: true, comment: " c" });
    expect(read("time", "2024-01-02T03:04:05Z")).toMatchObject({ ok: true, leaf: { kind: "time" } });
  });

  it("refuses values that do not fit their type, and non-UTF-8 strings outside binary files", () => {
    expect(read("int", "1.5")).toEqual({ ok: false, problem: "bad-type-value" });
    expect(read("bool", "yes")).toEqual({ ok: false, problem: "bad-type-value" });
    expect(read("time", "2024-01-02")).toEqual({ ok: false, problem: "bad-type-value" });
    expect(read("str", Buffer.from([0xff]))).toEqual({ ok: false, problem: "not-utf8" });
    expect(read("str", Buffer.from([0xff]), true)).toMatchObject({ ok: true, leaf: { kind: "rawstr" } });
  });
});
