/**
 * The encryption selectors and `mac_only_encrypted`. No real fixture uses these (except
 * encrypted_regex); the expected behaviour is derived from getsops/sops `sops.go`
 * (`shouldBeEncrypted`, `walkBranch`, `Tree.Decrypt`) and `stores/stores.go` (`ToInternal`).
 */
import { describe, expect, it } from "vitest";
import { parse as parseYamlText } from "yaml";
import { LASTMODIFIED, TestEncryptor, yamlSops } from "./helpers/encrypt.js";
import { decrypt, leaves } from "./helpers/run.js";

function summary(file: string, key: Uint8Array): string[] {
  return leaves(file, "s.yaml", key).map(
    ([aad, kind, encrypted, hashed]) =>
      `${kind} ${aad} ${encrypted ? "enc" : "clear"}${hashed ? " hashed" : ""}`,
  );
}

describe("suffix rules", () => {
  it("unencrypted_suffix: a key with the suffix leaves everything below it in clear", () => {
    const e = new TestEncryptor();
    e.plain("app");
    e.plain("1");
    const file = [
      "name_plain: app",
      "tree_plain:",
      "    deep: 1",
      `password: ${e.enc("password:", "pw")}`,
      yamlSops(e.mac(LASTMODIFIED), ["unencrypted_suffix: _plain"]),
    ].join("\n");
    expect(summary(file, e.key)).toEqual([
      "value name_plain: clear hashed",
      "value tree_plain:deep: clear hashed",
      "value password: enc hashed",
    ]);
    expect(parseYamlText(decrypt(file, "s.yaml", e.key).text)).toEqual({
      name_plain: "app",
      tree_plain: { deep: 1 },
      password: "pw",
    });
  });

  it("encrypted_suffix: only keys with the suffix, and everything below them, are encrypted", () => {
    const e = new TestEncryptor();
    const a = e.enc("token_secret:", "t");
    e.plain("public");
    const child = e.enc("db_secret:child:", "c");
    const file = [
      `token_secret: ${a}`,
      "label: public",
      "db_secret:",
      `    child: ${child}`,
      yamlSops(e.mac(LASTMODIFIED), ["encrypted_suffix: _secret"]),
    ].join("\n");
    expect(summary(file, e.key)).toEqual([
      "value token_secret: enc hashed",
      "value label: clear hashed",
      "value db_secret:child: enc hashed",
    ]);
    expect(decrypt(file, "s.yaml", e.key).secrets).toEqual(["t", "c"]);
  });

  it("applies the default _unencrypted suffix when the file names no rule", () => {
    const e = new TestEncryptor();
    e.plain("visible");
    const file = [
      "note_unencrypted: visible",
      `key: ${e.enc("key:", "hidden")}`,
      yamlSops(e.mac(LASTMODIFIED), []),
    ].join("\n");
    expect(summary(file, e.key)).toEqual(["value note_unencrypted: clear hashed", "value key: enc hashed"]);
  });
});

describe("regex rules (Go regexp, unanchored search on each key of the path)", () => {
  it("unencrypted_regex", () => {
    const e = new TestEncryptor();
    e.plain("v1");
    e.plain("x");
    const file = [
      "apiVersion: v1",
      "metadata:",
      "    name: x",
      `data: ${e.enc("data:", "d")}`,
      yamlSops(e.mac(LASTMODIFIED), ["unencrypted_regex: ^(apiVersion|metadata)$"]),
    ].join("\n");
    expect(summary(file, e.key)).toEqual([
      "value apiVersion: clear hashed",
      "value metadata:name: clear hashed",
      "value data: enc hashed",
    ]);
  });

  it("encrypted_regex with Go syntax: (?i) flag", () => {
    const e = new TestEncryptor();
    const password = e.enc("PassWord:", "pw");
    e.plain("alice");
    const file = [
      `PassWord: ${password}`,
      "user: alice",
      yamlSops(e.mac(LASTMODIFIED), ["encrypted_regex: (?i)^password$"]),
    ].join("\n");
    expect(summary(file, e.key)).toEqual(["value PassWord: enc hashed", "value user: clear hashed"]);
  });
});

describe("comment rules", () => {
  it("encrypted_comment_regex: values after a matching comment are encrypted; the comment stays clear", () => {
    const e = new TestEncryptor();
    const after = e.comment(":", " also hidden");
    const password = e.enc("password:", "pw");
    e.plain("alice");
    const host = e.enc("db:host:", "h");
    const port = e.enc("db:port:", "5432", "int");
    e.plain("open");
    const file = [
      "# sops:enc",
      `#${after}`,
      `password: ${password}`,
      "user: alice",
      "# sops:enc",
      "db:",
      `    host: ${host}`,
      `    port: ${port}`,
      "other: open",
      yamlSops(e.mac(LASTMODIFIED), ["encrypted_comment_regex: sops:enc"]),
    ].join("\n");
    expect(summary(file, e.key)).toEqual([
      "comment : clear",
      "comment : enc",
      "value password: enc hashed",
      "value user: clear hashed",
      "comment : clear",
      "value db:host: enc hashed",
      "value db:port: enc hashed",
      "value other: clear hashed",
    ]);
    expect(parseYamlText(decrypt(file, "s.yaml", e.key).text)).toEqual({
      password: "pw",
      user: "alice",
      db: { host: "h", port: 5432 },
      other: "open",
    });
  });

  it("unencrypted_comment_regex: values after a matching comment stay clear, other comments are encrypted", () => {
    const e = new TestEncryptor();
    // `debug: true` is a plain YAML bool: hashed as sops.ToBytes renders it, "True".
    e.plain("True");
    const note = e.comment(":", " rotate yearly");
    const password = e.enc("password:", "pw");
    const file = [
      "# sops:noenc",
      "debug: true",
      `#${note}`,
      `password: ${password}`,
      yamlSops(e.mac(LASTMODIFIED), ["unencrypted_comment_regex: sops:noenc"]),
    ].join("\n");
    expect(summary(file, e.key)).toEqual([
      "comment : clear",
      "value debug: clear hashed",
      "comment : enc",
      "value password: enc hashed",
    ]);
    expect(decrypt(file, "s.yaml", e.key).text).toContain("# rotate yearly\npassword: pw");
  });
});

describe("mac_only_encrypted", () => {
  it("hashes only encrypted values, after the SHA-256('sops') prefix", () => {
    const e = new TestEncryptor({ macOnlyEncrypted: true });
    const token = e.enc("token:", "t");
    const file = [
      "kind: Secret",
      `token: ${token}`,
      yamlSops(e.mac(LASTMODIFIED), ["encrypted_regex: ^token$", "mac_only_encrypted: true"]),
    ].join("\n");
    expect(summary(file, e.key)).toEqual(["value kind: clear", "value token: enc hashed"]);
    // Clear values are outside the MAC: changing one is not detected (that is the point of it).
    expect(parseYamlText(decrypt(file.replace("kind: Secret", "kind: Other"), "s.yaml", e.key).text)).toEqual(
      {
        kind: "Other",
        token: "t",
      },
    );
  });

  it("differs from the full MAC: a file claiming mac_only_encrypted with a full MAC is refused", () => {
    const e = new TestEncryptor();
    const token = e.enc("token:", "t");
    const file = [`token: ${token}`, yamlSops(e.mac(LASTMODIFIED), ["mac_only_encrypted: true"])].join("\n");
    expect(() => decrypt(file, "s.yaml", e.key)).toThrow(/MAC mismatch/);
  });
});

describe("rule conflicts", () => {
  it("refuses more than one rule, as sops does", () => {
    const file = ["a: b", yamlSops("x", ["encrypted_regex: ^a$", "unencrypted_suffix: _u"])].join("\n");
    expect(() => decrypt(file, "s.yaml", Buffer.alloc(32))).toThrow(/more than one of/);
  });
});
