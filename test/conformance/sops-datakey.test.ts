/**
 * Conformance of the sops layer against files written by the real sops (test/fixtures/sops/).
 * For every encrypted file, EXPECTED.json gives the data key and every leaf as an independent
 * re-implementation decrypted it; with the data key this covers AES-GCM, the AADs, the types,
 * the encryption selectors and the MAC for age and PGP files alike, without any key service.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse as parseYamlText } from "yaml";
import { SecretError } from "../../src/errors.js";
import { decryptLeaves } from "../../src/secrets/sops/document.js";
import {
  decryptDocument,
  formatFromPath,
  isSopsFile,
  parseSopsFile,
  type SopsFormat,
} from "../../src/secrets/sops/index.js";
import type { LeafRecord } from "../../src/secrets/sops/decrypt.js";

const FIXTURES = join(import.meta.dirname, "../fixtures/sops");

type Plain = string | number | boolean | null;
interface Expected {
  format: SopsFormat;
  sops_version: string;
  datakey_hex: string;
  lastmodified_aad: string;
  mac_ok: boolean;
  mac_present: boolean;
  entries: [string, "value" | "comment" | "null", boolean, Plain][];
  yaml_comments?: [string, string, string][];
}

const expected = JSON.parse(readFileSync(join(FIXTURES, "EXPECTED.json"), "utf8")) as Record<string, unknown>;
const files = Object.entries(expected).filter(([name]) => name !== "_about") as [string, Expected][];

function read(name: string): Buffer {
  return readFileSync(join(FIXTURES, name));
}

function text(bytes: Uint8Array): string {
  return new TextDecoder().decode(bytes);
}

function keyOf(entry: Expected): Buffer {
  return Buffer.from(entry.datakey_hex, "hex");
}

/** A record as EXPECTED.json writes it: comments of flat formats carry their `#`. */
function asExpected(record: LeafRecord): [string, string, boolean, Plain] {
  if (record.kind === "comment") return [record.aad, "comment", record.encrypted, `#${record.comment ?? ""}`];
  const leaf = record.leaf;
  let plain: Plain = null;
  if (leaf) {
    switch (leaf.kind) {
      case "str":
        plain = leaf.value;
        break;
      case "int":
        plain = Number(leaf.value);
        break;
      case "float":
      case "bool":
        plain = leaf.value;
        break;
      case "null":
        plain = null;
        break;
      default:
        plain = `<${leaf.kind}>`;
    }
  }
  return [record.aad, record.kind, record.encrypted, plain];
}

describe("sops fixtures written by the real sops, decrypted with their data key", () => {
  it("covers every encrypted file of EXPECTED.json", () => {
    expect(files.length).toBe(32);
  });

  describe.each(files)("%s", (name, entry) => {
    const content = read(name);

    it("is recognised, in the format sops guesses from its name", () => {
      expect(formatFromPath(name)).toBe(entry.format);
      expect(isSopsFile(content, entry.format)).toBe(true);
    });

    it("parses, with the MAC's AAD normalised from lastmodified", () => {
      const document = parseSopsFile(content, name);
      expect(document.format).toBe(entry.format);
      expect(document.macAad).toBe(entry.lastmodified_aad);
      expect(document.metadata.version).toBe(
        entry.sops_version === "3.2.0 MAC (re-keyed to age later)" ? "3.2.0" : entry.sops_version,
      );
      expect(document.metadata.age.length + document.metadata.pgp.length).toBeGreaterThan(0);
    });

    it("decrypts every leaf to the expected AAD, kind and plaintext", () => {
      const document = parseSopsFile(content, name);
      const { records } = decryptLeaves(document, keyOf(entry));
      const comparable = records.filter((record) => entry.format !== "yaml" || record.kind !== "comment");
      expect(comparable.map(asExpected)).toEqual(entry.entries);
      if (entry.format === "yaml") {
        const decryptedComments = records
          .filter((record) => record.kind === "comment" && record.encrypted)
          .map((record) => [record.aad, record.comment, "comment"]);
        expect(decryptedComments).toEqual(entry.yaml_comments ?? []);
      }
    });

    if (entry.mac_present) {
      it("verifies the MAC", () => {
        const result = decryptDocument(parseSopsFile(content, name), keyOf(entry));
        expect(result.plaintext.length).toBeGreaterThan(0);
      });
    } else {
      it("is refused for having no MAC, and decrypts with ignoreMac", () => {
        const document = parseSopsFile(content, name);
        expect(() => decryptDocument(document, keyOf(entry))).toThrow(SecretError);
        expect(() => decryptDocument(document, keyOf(entry))).toThrow(
          /the file has no MAC; refusing \(ignoreMac overrides\)/,
        );
        const result = decryptDocument(document, keyOf(entry), { ignoreMac: true });
        expect(parseYamlText(text(result.plaintext))).toEqual({ myapp1: "t00m4nys3cr3tzupdated" });
      });
    }

    it("lists every decrypted value among the secrets to mask", () => {
      const result = decryptDocument(parseSopsFile(content, name), keyOf(entry), {
        ignoreMac: !entry.mac_present,
      });
      for (const [, kind, encrypted, plain] of entry.entries) {
        if (!encrypted || kind === "null" || plain === "") continue;
        if (typeof plain === "string") {
          const expectedText = kind === "comment" ? plain.slice(1) : plain;
          expect(result.secrets).toContain(expectedText);
        }
      }
    });
  });
});

function decrypt(name: string): ReturnType<typeof decryptDocument> {
  const entry = expected[name] as Expected;
  return decryptDocument(parseSopsFile(read(name), name), keyOf(entry));
}

describe("plaintext output against the upstream plaintext files", () => {
  it("comments.enc.yaml prints as comments.yaml, comments in place", () => {
    const out = text(decrypt("getsops-sops-functional-tests/comments.enc.yaml").plaintext);
    const upstream = text(read("getsops-sops-functional-tests/comments.yaml"));
    expect(parseYamlText(out)).toEqual(parseYamlText(upstream));
    expect(out.trimEnd()).toBe(upstream.trimEnd());
  });

  it("secret.enc.json prints as secret.json, key order kept (0word stays after boolean)", () => {
    const out = text(decrypt("humphd-sops-age/secret.enc.json").plaintext);
    expect(JSON.parse(out)).toEqual(JSON.parse(text(read("humphd-sops-age/secret.json"))));
    const keys = [...out.matchAll(/^\t"([^"]+)":/gm)].map((m) => m[1]);
    expect(keys).toEqual(["secret", "string", "int", "float", "boolean", "0word", "complex"]);
    // An integer stored by old sops as type:float prints as it was written.
    expect(out).toContain('\t"int": 7,\n');
  });

  it("secret.enc.yaml prints as secret.json less 0word", () => {
    const out = parseYamlText(text(decrypt("humphd-sops-age/secret.enc.yaml").plaintext)) as Record<
      string,
      unknown
    >;
    const upstream = JSON.parse(text(read("humphd-sops-age/secret.json"))) as Record<string, unknown>;
    delete upstream["0word"];
    expect(out).toEqual(upstream);
  });

  it("helm-secrets secrets.yaml prints as secrets.dec.yaml", () => {
    const out = text(decrypt("helm-secrets/secrets.yaml").plaintext);
    expect(parseYamlText(out)).toEqual(parseYamlText(text(read("helm-secrets/secrets.dec.yaml"))));
  });

  it("a binary payload with trailing newlines is byte-exact", () => {
    const out = decrypt("helm-secrets/secrets.trailing-newline.raw").plaintext;
    expect(Buffer.from(out).equals(read("helm-secrets/secrets.trailing-newline.dec.raw"))).toBe(true);
  });

  it.each([
    ["flux-kustomize-controller/files-file.txt", "value"],
    ["terraform-provider-sops/raw.txt", "Hello raw world!"],
    ["sops-nix/secrets.bin", "binary_value\n"],
  ])("binary %s is byte-exact", (name, plaintext) => {
    expect(Buffer.from(decrypt(name).plaintext).equals(Buffer.from(plaintext))).toBe(true);
  });

  it.each([
    ["getsops-sops-functional-tests/format.enc.env", "foo = bar\n", [["foo ", " bar"]]],
    ["flux-kustomize-controller/envs-env.env", "key=value\n", [["key", "value"]]],
    [
      "humphd-sops-age/secret.enc.env",
      "secret=this is a secret\nanother_secret=7\n",
      [
        ["secret", "this is a secret"],
        ["another_secret", "7"],
      ],
    ],
    [
      "sops-nix/secrets.env",
      "# This is an example file.\nhello=Welcome to SOPS! Edit this file as you please!\nexample_key=example_value\n" +
        "example_multiline=foo\\nbar\\nbaz\nnever_gonna=give you up\n",
      [
        ["hello", "Welcome to SOPS! Edit this file as you please!"],
        ["example_key", "example_value"],
        ["example_multiline", "foo\nbar\nbaz"],
        ["never_gonna", "give you up"],
      ],
    ],
  ])("dotenv %s prints exactly as sops does, variables untrimmed", (name, plaintext, variables) => {
    const result = decrypt(name);
    expect(text(result.plaintext)).toBe(plaintext);
    expect([...result.variables]).toEqual(variables);
  });

  // Layout derived from go-ini's writer (gopkg.in/ini.v1 file.go writeToBuffer), which sops uses;
  // no upstream plaintext file exists for these.
  it.each([
    ["getsops-sops-functional-tests/format.enc.ini", "[foo]\nbar = baz\n"],
    ["getsops-sops-functional-tests/format-2.enc.ini", "[foo]\nbar = baz\n"],
    [
      "sops-nix/secrets.ini",
      "; This is an example file.\n[Welcome!]\nhello       = Welcome to SOPS! Edit this file as you please!\n" +
        "example_key = example_value\nnever_gonna = give you up\n",
    ],
  ])("INI %s prints in go-ini's layout", (name, plaintext) => {
    expect(text(decrypt(name).plaintext)).toBe(plaintext);
  });

  it("JSON with a null and an old float-typed integer keeps both", () => {
    const out = text(decrypt("terraform-provider-sops/basic.json").plaintext);
    expect(out).toBe(
      '{\n\t"hello": "world",\n\t"integer": 0,\n\t"float": 0.2,\n\t"bool": true,\n\t"null": null\n}\n',
    );
  });

  it("YAML lists of maps, nulls and types come out typed", () => {
    expect(parseYamlText(text(decrypt("terraform-provider-sops/complex-list.yaml").plaintext))).toEqual({
      a_list: [
        { name: "foo", index: 0, value: null },
        { name: "bar", index: 1 },
      ],
    });
    expect(parseYamlText(text(decrypt("terraform-provider-sops/basic.age0.yaml").plaintext))).toEqual({
      hello: "world",
      integer: 0,
      float: 0.2,
      bool: true,
      null_value: null,
    });
  });

  it("encrypted_regex leaves the rest in clear, and the output keeps it", () => {
    expect(parseYamlText(text(decrypt("flux-kustomize-controller/global-secret.yaml").plaintext))).toEqual({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "global-age-secret", namespace: "default" },
      type: "Opaque",
      stringData: { key: "global-value" },
    });
  });
});
