// When the sops binary decrypted a file, croncd still needs the values to mask (and, for dotenv,
// the variables): they come from the plaintext sops printed, less what the file holds in clear.
import { describe, expect, it } from "vitest";
import { describePlaintext } from "../../../src/secrets/decrypt-file.js";

const bytes = (text: string) => new TextEncoder().encode(text);

describe("describePlaintext", () => {
  it("yaml: every value but those the encrypted file holds in clear (encrypted_regex)", () => {
    const encrypted = [
      "apiVersion: v1",
      "kind: Secret",
      "metadata:",
      "    name: db-credentials",
      "stringData:",
      "    password: ENC[AES256_GCM,data:AAAA,iv:BBBB,tag:CCCC,type:str]",
      "    hosts: ENC[AES256_GCM,data:AAAA,iv:BBBB,tag:CCCC,type:str]",
      "sops:",
      "    lastmodified: '2024-11-12T13:33:42Z'",
      "",
    ].join("\n");
    const plaintext = bytes(
      "apiVersion: v1\nkind: Secret\nmetadata:\n    name: db-credentials\nstringData:\n    password: s3cr3t!\n    hosts:\n        - a.internal\n        - 5432\n",
    );
    const described = describePlaintext(plaintext, bytes(encrypted), "yaml");
    expect(described.secrets).toEqual(["s3cr3t!", "a.internal", "5432"]);
    expect(described.variables).toEqual(new Map());
    expect(described.plaintext).toBe(plaintext);
  });

  it("json (tab-indented, as sops writes it)", () => {
    const described = describePlaintext(
      bytes('{\n\t"user": "admin",\n\t"token": "tok-123456"\n}\n'),
      bytes(
        '{\n\t"user": "ENC[AES256_GCM,data:x,iv:y,tag:z,type:str]",\n\t"token": "ENC[…]",\n\t"sops": {}\n}\n',
      ),
      "json",
    );
    expect(described.secrets).toEqual(["admin", "tok-123456"]);
  });

  it("dotenv: the variables as sops reads them (split at the first =, \\n unescaped)", () => {
    const described = describePlaintext(
      bytes("#comment\nDB_PASSWORD=p=ss word\nMULTI=a\\nb\nEMPTY=\n"),
      bytes("DB_PASSWORD=ENC[x]\nMULTI=ENC[y]\nEMPTY=\nsops_version=3.9.0\n"),
      "dotenv",
    );
    expect(described.variables).toEqual(
      new Map([
        ["DB_PASSWORD", "p=ss word"],
        ["MULTI", "a\nb"],
        ["EMPTY", ""],
      ]),
    );
    expect(described.secrets).toEqual(["p=ss word", "a\nb"]);
  });

  it("ini: values under their sections, not the encrypted file's [sops] section", () => {
    const described = describePlaintext(
      bytes("[db]\npassword = hunter22\n; a comment\n[web]\nport = 8080\n"),
      bytes("[db]\npassword = ENC[x]\n[web]\nport = ENC[y]\n[sops]\nversion = 3.13.2\n"),
      "ini",
    );
    expect(described.secrets).toEqual(["hunter22", "8080"]);
  });

  it("binary: all of it", () => {
    expect(describePlaintext(bytes("-----BEGIN KEY-----\nabc\n"), bytes("{}"), "binary").secrets).toEqual([
      "-----BEGIN KEY-----\nabc\n",
    ]);
  });

  it("unparseable output: all of it, rather than nothing", () => {
    expect(describePlaintext(bytes("a: [unclosed\n"), bytes("a: ENC[x]\n"), "yaml").secrets).toEqual([
      "a: [unclosed\n",
    ]);
  });
});
