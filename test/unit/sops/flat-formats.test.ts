/**
 * JSON, dotenv, INI and binary cases no real fixture covers, on files built with the test-only
 * encryptor. Behaviour derived from sops's source is marked with the Go file it comes from.
 */
import { describe, expect, it } from "vitest";
import { SecretError } from "../../../src/errors.js";
import { flatSops, jsonSops, LASTMODIFIED, TestEncryptor } from "./helpers/encrypt.js";
import { decrypt, errorOf, leaves } from "./helpers/run.js";

describe("JSON", () => {
  it("keeps integer-like keys in file order, in the MAC and in the output", () => {
    const e = new TestEncryptor();
    const body = [
      `"b": "${e.enc("b:", "B")}"`,
      `"7": "${e.enc("7:", "seven")}"`,
      `"0": {"10": "${e.enc("0:10:", "ten")}", "2": "${e.enc("0:2:", "two")}"}`,
    ].join(",\n");
    const file = `{\n${body},\n${jsonSops(e.mac(LASTMODIFIED))}\n}`;
    const result = decrypt(file, "s.json", e.key);
    expect(result.text).toBe(
      '{\n\t"b": "B",\n\t"7": "seven",\n\t"0": {\n\t\t"10": "ten",\n\t\t"2": "two"\n\t}\n}\n',
    );
  });

  // stores/json/store.go: a JSON integer is an int since 3.13.2, a float before; old files carry
  // `type:float` for integers, which must print as they were written.
  it("prints numbers as Go's json.Marshal does and keeps clear numbers, nulls and arrays", () => {
    const e = new TestEncryptor();
    const oldInt = e.enc("old_int:", "7", "float");
    const tiny = e.enc("tiny:", "0.0000001", "float");
    const huge = e.enc("huge:", "100000000000000000000000", "float");
    e.plain("9007199254740993");
    e.plain("100");
    const body = [
      `"old_int": "${oldInt}"`,
      `"tiny": "${tiny}"`,
      `"huge": "${huge}"`,
      `"big_unencrypted": 9007199254740993`,
      `"exp_unencrypted": 1e2`,
      `"nothing": null`,
      `"list": ["${e.enc("list:", "<a&b>")}", [], {}]`,
    ].join(",\n");
    const file = `{\n${body},\n${jsonSops(e.mac(LASTMODIFIED))}\n}`;
    expect(decrypt(file, "s.json", e.key).text).toBe(
      "{\n" +
        '\t"old_int": 7,\n' +
        '\t"tiny": 1e-7,\n' +
        '\t"huge": 1e+23,\n' +
        '\t"big_unencrypted": 9007199254740993,\n' +
        '\t"exp_unencrypted": 100,\n' +
        '\t"nothing": null,\n' +
        '\t"list": [\n\t\t"\\u003ca\\u0026b\\u003e",\n\t\t[],\n\t\t{}\n\t]\n' +
        "}\n",
    );
  });

  it("keeps duplicate keys, as sops's token reader does", () => {
    const e = new TestEncryptor();
    const file = `{"a": "${e.enc("a:", "1")}", "a": "${e.enc("a:", "2")}", ${jsonSops(e.mac(LASTMODIFIED))}}`;
    expect(decrypt(file, "s.json", e.key).text).toBe('{\n\t"a": "1",\n\t"a": "2"\n}\n');
  });
});

describe("dotenv", () => {
  // stores/dotenv/store.go: split at the first '=', nothing trimmed, '#' lines are comments.
  it("keeps keys and values untrimmed, comments, '=' in values and multi-line values", () => {
    const e = new TestEncryptor();
    const file =
      [
        `#${e.comment(":", " database")}`,
        `DB USER =${e.enc("DB USER :", " admin ")}`,
        `URL=${e.enc("URL:", "postgres://x?a=b")}`,
        `# a plain comment`,
        `CERT=${e.enc("CERT:", "line1\nline2")}`,
        `EMPTY=`,
        `EMPTY_unencrypted=`,
        `PLAIN_unencrypted=visible`,
      ].join("\n") +
      "\n\n" +
      flatSops(undefined, "dotenv").replace(/^/, "");
    const mac = (() => {
      e.plain("visible");
      return e.mac(LASTMODIFIED);
    })();
    const withMac = file.replace(
      `sops_lastmodified=${LASTMODIFIED}\n`,
      `sops_lastmodified=${LASTMODIFIED}\nsops_mac=${mac}\n`,
    );
    const result = decrypt(withMac, "s.env", e.key);
    expect(result.text).toBe(
      "# database\nDB USER = admin \nURL=postgres://x?a=b\n# a plain comment\nCERT=line1\\nline2\nEMPTY=\n" +
        "EMPTY_unencrypted=\nPLAIN_unencrypted=visible\n",
    );
    expect([...result.variables]).toEqual([
      ["DB USER ", " admin "],
      ["URL", "postgres://x?a=b"],
      ["CERT", "line1\nline2"],
      ["EMPTY", ""],
      ["EMPTY_unencrypted", ""],
      ["PLAIN_unencrypted", "visible"],
    ]);
    expect(result.secrets).toEqual([" database", " admin ", "postgres://x?a=b", "line1\nline2"]);
  });

  it('reads mac_only_encrypted stored as the string "true"', () => {
    const e = new TestEncryptor({ macOnlyEncrypted: true });
    const token = e.enc("TOKEN:", "t0k3n");
    const file =
      `NAME_unencrypted=app\nTOKEN=${token}\n` +
      flatSops(e.mac(LASTMODIFIED), "dotenv", {
        mac_only_encrypted: "true",
        unencrypted_suffix: "_unencrypted",
      });
    expect(decrypt(file, "s.env", e.key).text).toBe("NAME_unencrypted=app\nTOKEN=t0k3n\n");
  });

  it("refuses a line without '=' without printing it", () => {
    const error = errorOf(() => decrypt("SECRET_VALUE_NO_EQUALS\n", "s.env", Buffer.alloc(32)));
    expect(error.message).toContain("line 1 has no '='");
    expect(error.message).not.toContain("SECRET_VALUE");
  });
});

describe("INI", () => {
  // stores/ini/store.go on go-ini: the AAD is section:key:, a comment's is section:.
  it("decrypts sections, keys before any section (DEFAULT), and section and key comments", () => {
    const e = new TestEncryptor();
    const file = [
      `top = ${e.enc("DEFAULT:top:", "t")}`,
      `; ${e.comment("db:", "database settings")}`,
      "[db]",
      `user     = ${e.enc("db:user:", "admin")}`,
      `# ${e.comment("db:", "the password")}`,
      `password = ${e.enc("db:password:", "p;w#d")}`,
      `port_unencrypted = 5432`,
      "",
      "[sops]",
      flatSops(undefined, "ini").trim(),
    ].join("\n");
    e.plain("5432");
    const withMac = file.replace(
      `lastmodified = ${LASTMODIFIED}`,
      `lastmodified = ${LASTMODIFIED}\nmac = ${e.mac(LASTMODIFIED)}`,
    );
    expect(leaves(withMac, "s.ini", e.key).map(([aad, kind]) => `${kind} ${aad}`)).toEqual([
      "value DEFAULT:top:",
      "comment db:",
      "value db:user:",
      "value db:password:",
      "comment db:",
      "value db:port_unencrypted:",
    ]);
    const result = decrypt(withMac, "s.ini", e.key);
    // go-ini's writer: comments before their key, '=' aligned, values with ';' or '#' in backticks.
    expect(result.text).toBe(
      "top = t\n\n; database settings\n[db]\nuser             = admin\n; the password\npassword         = `p;w#d`\n" +
        "port_unencrypted = 5432\n",
    );
  });

  it('reads go-ini """multi-line""" metadata values and \\n-escaped ones alike', () => {
    const e = new TestEncryptor();
    const value = e.enc("s:k:", "v");
    const mac = e.mac(LASTMODIFIED);
    const escaped = `[s]\nk = ${value}\n\n[sops]\n${flatSops(mac, "ini")}`;
    const multiLine = escaped.replace(/age__list_0__map_enc = (.*)\n/, (_, enc: string) => {
      return `age__list_0__map_enc = """${enc.replaceAll("\\n", "\n")}"""\n`;
    });
    expect(multiLine).toContain('"""-----BEGIN AGE ENCRYPTED FILE-----\n');
    for (const file of [escaped, multiLine]) {
      expect(decrypt(file, "s.ini", e.key).text).toBe("[s]\nk = v\n");
    }
  });
});

describe("binary", () => {
  it("returns payloads that are not UTF-8 byte for byte", () => {
    const e = new TestEncryptor();
    const payload = Buffer.from([0x00, 0xff, 0xfe, 0x80, 0x0a, 0x41]);
    const file = `{\n\t"data": "${e.enc("data:", payload)}",\n\t${jsonSops(e.mac(LASTMODIFIED))}\n}`;
    const result = decrypt(file, "blob.bin", e.key);
    expect(Buffer.from(result.plaintext).equals(payload)).toBe(true);
    expect(result.variables.size).toBe(0);
  });

  it("returns an empty payload for an empty file (sops stores it as an empty string)", () => {
    const e = new TestEncryptor();
    const file = `{"data": "", ${jsonSops(e.mac(LASTMODIFIED))}}`;
    expect(decrypt(file, "empty.bin", e.key).plaintext.length).toBe(0);
  });

  it("refuses an envelope without data", () => {
    const e = new TestEncryptor();
    const file = `{"other": "${e.enc("other:", "x")}", ${jsonSops(e.mac(LASTMODIFIED))}}`;
    const error = errorOf(() => decrypt(file, "x.bin", e.key));
    expect(error).toBeInstanceOf(SecretError);
    expect(error.message).toContain("no 'data' key");
  });
});
