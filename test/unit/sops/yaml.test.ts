/**
 * YAML cases no real fixture covers, on files built with the test-only encryptor. Behaviour
 * derived from sops's source is marked with the Go file it comes from.
 */
import { describe, expect, it } from "vitest";
import { parse as parseYamlText, parseAllDocuments } from "yaml";
import { SecretError } from "../../../src/errors.js";
import { encryptValue, LASTMODIFIED, TestEncryptor, yamlSops } from "./helpers/encrypt.js";
import { decrypt, errorOf, leaves } from "./helpers/run.js";

describe("YAML key order", () => {
  it("keeps integer-like keys where they are, in the AADs, the MAC and the output", () => {
    const e = new TestEncryptor();
    const file = [
      `zeta: ${e.enc("zeta:", "z")}`,
      `"7": ${e.enc("7:", "seven")}`,
      `0word: ${e.enc("0word:", "zero")}`,
      `"10": ${e.enc("10:", "ten")}`,
      `"2":`,
      `    "1": ${e.enc("2:1:", "two-one")}`,
      yamlSops(e.mac(LASTMODIFIED)),
    ].join("\n");
    const result = decrypt(file, "s.yaml", e.key);
    expect(leaves(file, "s.yaml", e.key).map(([aad]) => aad)).toEqual([
      "zeta:",
      "7:",
      "0word:",
      "10:",
      "2:1:",
    ]);
    const keys = parseAllDocuments(result.text)[0]?.contents as { items: { key: { value: unknown } }[] };
    expect(keys.items.map((pair) => pair.key.value)).toEqual(["zeta", "7", "0word", "10", "2"]);
    // Integer-like keys must stay strings when read back.
    expect(result.text).toContain('"7": seven');
  });
});

describe("YAML lists", () => {
  it("gives list elements their parent's path (no index), also in lists of lists and of maps", () => {
    const e = new TestEncryptor();
    const file = [
      "matrix:",
      `    - - ${e.enc("matrix:", "a")}`,
      `      - ${e.enc("matrix:", "b")}`,
      `    - - ${e.enc("matrix:", "c")}`,
      "users:",
      `    - name: ${e.enc("users:name:", "alice")}`,
      `      roles:`,
      `        - ${e.enc("users:roles:", "admin")}`,
      `    - name: ${e.enc("users:name:", "bob")}`,
      "empty: []",
      yamlSops(e.mac(LASTMODIFIED)),
    ].join("\n");
    const result = decrypt(file, "s.yaml", e.key);
    expect(parseYamlText(result.text)).toEqual({
      matrix: [["a", "b"], ["c"]],
      users: [{ name: "alice", roles: ["admin"] }, { name: "bob" }],
      empty: [],
    });
  });

  it("reads old sops list layout (dash at the parent's column)", () => {
    const e = new TestEncryptor();
    const file = [
      "a_list:",
      `-   name: ${e.enc("a_list:name:", "foo")}`,
      `    index: ${e.enc("a_list:index:", "0", "int")}`,
      "-   null",
      yamlSops(e.mac(LASTMODIFIED)),
    ].join("\n");
    expect(parseYamlText(decrypt(file, "s.yaml", e.key).text)).toEqual({
      a_list: [{ name: "foo", index: 0 }, null],
    });
  });
});

describe("YAML comments", () => {
  it("decrypts comments with the path of the mapping or list they sit in, and keeps them in place", () => {
    const e = new TestEncryptor();
    const file = [
      `#${e.comment(":", " top")}`,
      `db:`,
      `    #${e.comment("db:", " inside db")}`,
      `    user: ${e.enc("db:user:", "admin")}`,
      `    hosts:`,
      `        #${e.comment("db:hosts:", " first host")}`,
      `        - ${e.enc("db:hosts:", "h1")}`,
      `        #${e.comment("db:hosts:", " end of hosts")}`,
      `    #${e.comment("db:", " end of db")}`,
      `# a comment sops never encrypted`,
      `port: ${e.enc("port:", "5432", "int")} #${e.comment(":", " inline")}`,
      yamlSops(e.mac(LASTMODIFIED)),
    ].join("\n");
    const result = decrypt(file, "s.yaml", e.key);
    expect(parseYamlText(result.text)).toEqual({ db: { user: "admin", hosts: ["h1"] }, port: 5432 });
    const order = [
      " top",
      " inside db",
      " first host",
      " end of hosts",
      " end of db",
      " a comment sops never",
      " inline",
    ];
    const positions = order.map((text) => result.text.indexOf(`#${text}`));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(result.text).toMatch(/^port: 5432 # inline$/m);
    expect(result.text).not.toContain("ENC[");
    expect(result.secrets).toEqual(
      expect.arrayContaining([" top", " inside db", " end of db", "admin", "5432"]),
    );
  });

  it("keeps a comment that does not decrypt as it is (sops tolerates plaintext comments)", () => {
    const e = new TestEncryptor();
    const stray = encryptValue(Buffer.alloc(32, 7), ":", "other key", "comment");
    const file = [`#${stray}`, `a: ${e.enc("a:", "1")}`, yamlSops(e.mac(LASTMODIFIED))].join("\n");
    expect(decrypt(file, "s.yaml", e.key).text).toContain(`#${stray}`);
  });
});

describe("multi-document YAML", () => {
  // stores/yaml/store.go: one branch per document; stores/metadata.go ExtractMetadata reads the
  // metadata of the first document and drops `sops` from all; sops.go hashes every branch.
  it("decrypts every document, with one MAC over all of them", () => {
    const e = new TestEncryptor();
    // `kind` stays in clear (encrypted_regex) but is hashed, in document order across documents.
    e.plain("Secret");
    const p1 = e.enc("password:", "one");
    e.plain("ConfigMap");
    const t2 = e.enc("token:", "two");
    const sops = yamlSops(e.mac(LASTMODIFIED), ["encrypted_regex: ^(password|token)$"]);
    const file = `kind: Secret\npassword: ${p1}\n${sops}---\nkind: ConfigMap\ntoken: ${t2}\n${sops}`;
    const result = decrypt(file, "s.yaml", e.key);
    expect(parseAllDocuments(result.text).map((doc) => doc.toJS() as unknown)).toEqual([
      { kind: "Secret", password: "one" },
      { kind: "ConfigMap", token: "two" },
    ]);
    // Swapping a value between documents breaks the MAC or the AAD.
    const swapped = file.replace("kind: ConfigMap", "kind: Secrets");
    expect(() => decrypt(swapped, "s.yaml", e.key)).toThrow(/MAC mismatch/);
  });

  it("only needs the metadata in the first document", () => {
    const e = new TestEncryptor();
    const a = e.enc("a:", "1");
    const b = e.enc("b:", "2");
    const file = `a: ${a}\n${yamlSops(e.mac(LASTMODIFIED))}---\nb: ${b}\n`;
    expect(parseAllDocuments(decrypt(file, "s.yaml", e.key).text).map((d) => d.toJS() as unknown)).toEqual([
      { a: "1" },
      { b: "2" },
    ]);
  });
});

describe("YAML anchors, aliases and <<", () => {
  // stores/yaml/store.go nodeToTreeValue: an alias is decoded as a copy of its anchor's value;
  // `<<` decodes to the string "<<" (yaml.v3 resolve.go), so it is an ordinary key, never a merge.
  it("expands aliases in clear parts and hashes each copy where it appears", () => {
    const e = new TestEncryptor();
    e.plain("nginx");
    e.plain("nginx");
    const password = e.enc("web:password:", "s3cret");
    const file = [
      "defaults: &d",
      "    image: nginx",
      "web:",
      "    <<: *d",
      `    password: ${password}`,
      yamlSops(e.mac(LASTMODIFIED), ["encrypted_regex: ^password$"]),
    ].join("\n");
    expect(leaves(file, "s.yaml", e.key).map(([aad]) => aad)).toEqual([
      "defaults:image:",
      "web:<<:image:",
      "web:password:",
    ]);
    const out = decrypt(file, "s.yaml", e.key).text;
    const doc = parseAllDocuments(out, { merge: false })[0];
    expect(doc?.toJS()).toEqual({
      defaults: { image: "nginx" },
      web: { "<<": { image: "nginx" }, password: "s3cret" },
    });
  });

  it("decrypts a literal << key", () => {
    const e = new TestEncryptor();
    const file = [`"<<": ${e.enc("<<:", "not a merge")}`, yamlSops(e.mac(LASTMODIFIED))].join("\n");
    expect(parseAllDocuments(decrypt(file, "s.yaml", e.key).text, { merge: false })[0]?.toJS()).toEqual({
      "<<": "not a merge",
    });
  });
});

describe("YAML scalar types", () => {
  // sops.go ToBytes and yaml.v3 resolve.go: values left in clear are hashed as sops decodes them.
  it("hashes clear values the way sops decodes them", () => {
    const e = new TestEncryptor();
    for (const bytes of ["31", "1000", "True", "yes", "123", "2024-01-02T00:00:00Z", "8", "-0.5", "NaN"])
      e.plain(bytes);
    const secret = e.enc("secret:", "x");
    const file = [
      "hex_unencrypted: 0x1F",
      "exp_unencrypted: 1e3",
      "flag_unencrypted: TRUE",
      "word_unencrypted: yes",
      'quoted_unencrypted: "123"',
      "date_unencrypted: 2024-01-02",
      "legacy_unencrypted: 08",
      "neg_unencrypted: -.5",
      "nan_unencrypted: .nan",
      "none_unencrypted: ~",
      `secret: ${secret}`,
      yamlSops(e.mac(LASTMODIFIED)),
    ].join("\n");
    const out = parseYamlText(decrypt(file, "s.yaml", e.key).text) as Record<string, unknown>;
    expect(out.quoted_unencrypted).toBe("123");
    expect(out.word_unencrypted).toBe("yes");
    expect(out.none_unencrypted).toBeNull();
    expect(out.secret).toBe("x");
  });

  it("decrypts int, float, bool, time and bytes values to their types", () => {
    const e = new TestEncryptor();
    const file = [
      `int: ${e.enc("int:", "-42", "int")}`,
      `float: ${e.enc("float:", "0.000001", "float")}`,
      `bool: ${e.enc("bool:", "False", "bool")}`,
      `time: ${e.enc("time:", "2024-01-02T03:04:05.5+02:00", "time")}`,
      `bytes: ${e.enc("bytes:", "raw bytes", "bytes")}`,
      `empty: ""`,
      yamlSops(e.mac(LASTMODIFIED)),
    ].join("\n");
    const result = decrypt(file, "s.yaml", e.key);
    expect(result.text).toMatch(/^time: 2024-01-02T03:04:05\.5\+02:00$/m);
    expect(parseYamlText(result.text)).toEqual({
      int: -42,
      float: 0.000001,
      bool: false,
      time: "2024-01-02T03:04:05.5+02:00",
      bytes: "raw bytes",
      empty: "",
    });
  });

  it("quotes decrypted strings another reader would take for something else", () => {
    const e = new TestEncryptor();
    const values = ["true", "yes", "off", "123", "1_000", "0o17", "2024-01-02", "null", "~", "1e5", "12:30"];
    const file = [
      ...values.map((value, i) => `k${i}: ${e.enc(`k${i}:`, value)}`),
      yamlSops(e.mac(LASTMODIFIED)),
    ].join("\n");
    const out = parseYamlText(decrypt(file, "s.yaml", e.key).text, { version: "1.1" }) as Record<
      string,
      unknown
    >;
    expect(Object.values(out)).toEqual(values);
  });

  it("refuses a str value that decrypts to bytes that are not UTF-8", () => {
    const e = new TestEncryptor();
    const file = [
      `blob: ${e.enc("blob:", Buffer.from([0xff, 0xfe, 0x41]))}`,
      yamlSops(e.mac(LASTMODIFIED)),
    ].join("\n");
    const error = errorOf(() => decrypt(file, "s.yaml", e.key));
    expect(error).toBeInstanceOf(SecretError);
    expect(error.message).toContain("blob decrypts to bytes that are not UTF-8");
  });

  it("refuses keys that are not strings, as sops does", () => {
    const e = new TestEncryptor();
    const file = [`7: ${e.enc("7:", "x")}`, yamlSops(e.mac(LASTMODIFIED))].join("\n");
    expect(() => decrypt(file, "s.yaml", e.key)).toThrow(/key that is not a string/);
  });
});

describe("YAML documents sops cannot read", () => {
  it("refuses a top-level sequence and a duplicate key", () => {
    expect(() => decrypt("- a\n- b\n", "s.yaml", Buffer.alloc(32))).toThrow(/sequence/);
    expect(() => decrypt("a: 1\na: 2\n" + yamlSops("x"), "s.yaml", Buffer.alloc(32))).toThrow(
      /DUPLICATE_KEY/,
    );
  });
});
