/**
 * The `sops` section across layouts: old (every key service listed, `null` in JSON), new (empty
 * ones omitted), flattened (dotenv, INI), key groups with a Shamir threshold. Key groups and other
 * key services have no real fixture with published keys; their layout is taken from getsops/sops
 * `stores/stores.go` (`metadata`, `keygroup`, `internalKeygroups`) and `stores/flatten.go`.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { formatFromPath, isSopsFile, parseSopsFile } from "../../../src/secrets/sops/index.js";
import { bytes } from "./helpers/run.js";

const FIXTURES = join(import.meta.dirname, "../../fixtures/sops");

function fixture(name: string) {
  return parseSopsFile(readFileSync(join(FIXTURES, name)), name);
}

describe("metadata layouts of real files", () => {
  it("old JSON layout with kms: null", () => {
    const { metadata } = fixture("sops-nix/secrets.json");
    expect(metadata.otherKeyTypes).toEqual([]);
    expect(metadata.age).toEqual([]);
    expect(metadata.pgp.map((stanza) => stanza.fp)).toEqual(["7FB89715AADA920D65D25E63F9BA9DEBD03F57C0"]);
    expect(metadata.keyGroups).toEqual([]);
    expect(metadata.macOnlyEncrypted).toBe(false);
    expect(metadata.lastModified).toBe("2020-07-03T08:21:21Z");
    expect(metadata.mac).toMatch(/^ENC\[AES256_GCM,/);
  });

  it("flattened dotenv metadata with \\n escapes and several age recipients", () => {
    const { metadata } = fixture("humphd-sops-age/secret.enc.env");
    expect(metadata.age.map((stanza) => stanza.recipient)).toEqual([
      "age1je6kjhzuhdjy3fqptpttxjh5k8q46vygzlgtpuq3030c947pc5tqz9dqvr",
      "age19j4d6v9j7rx5fs629fu387qz4zmlpsqjexa4s08tkfrrmfdl5cwqjlaupd",
      "age13runq29jhy9kfpaegczrzttykerswh0qprq59msgd754yermtfmsa3hwg2",
    ]);
    expect(metadata.age[0]?.enc).toMatch(
      /^-----BEGIN AGE ENCRYPTED FILE-----\n[\s\S]+\n-----END AGE ENCRYPTED FILE-----\n$/,
    );
    expect(metadata.version).toBe("3.8.1");
  });

  it("INI metadata, \\n-escaped and go-ini multi-line alike", () => {
    for (const name of [
      "getsops-sops-functional-tests/format.enc.ini",
      "getsops-sops-functional-tests/format-2.enc.ini",
    ]) {
      const { metadata } = fixture(name);
      expect(metadata.pgp[0]?.fp).toBe("FBC7B9E2A4F9289AC0C1D4843D16CEE4A27381B4");
      expect(metadata.pgp[0]?.enc).toMatch(
        /^-----BEGIN PGP MESSAGE-----\n\n[\s\S]+\n-----END PGP MESSAGE-----$/,
      );
    }
  });

  it("post-quantum age recipients are kept as they are", () => {
    const { metadata } = fixture("flux-kustomize-controller/algorithms-age-pq.yaml");
    expect(metadata.age[0]?.recipient).toMatch(/^age1pq1/);
  });
});

describe("key groups and other key services", () => {
  const groups = `a: ENC[AES256_GCM,data:AA==,iv:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=,tag:AAAAAAAAAAAAAAAAAAAAAA==,type:str]
sops:
    key_groups:
        - age:
            - recipient: age1first
              enc: first-enc
          kms:
            - arn: arn:aws:kms:eu-west-1:1:key/x
              enc: kms-enc
              created_at: "2024-01-01T00:00:00Z"
              aws_profile: ""
        - pgp:
            - fp: ABCDEF
              enc: pgp-enc
              created_at: "2024-01-01T00:00:00Z"
          hc_vault:
            - vault_address: https://vault
              engine_path: sops
              key_name: k
              enc: vault-enc
              created_at: "2024-01-01T00:00:00Z"
          age: []
    shamir_threshold: 2
    lastmodified: "2024-01-01T00:00:00Z"
    mac: ENC[AES256_GCM,data:AA==,iv:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=,tag:AAAAAAAAAAAAAAAAAAAAAA==,type:str]
    unencrypted_suffix: _unencrypted
    version: 3.9.0
`;

  it("reads key_groups and shamir_threshold, with no direct keys", () => {
    const { metadata } = parseSopsFile(bytes(groups), "g.yaml");
    expect(metadata.age).toEqual([]);
    expect(metadata.pgp).toEqual([]);
    expect(metadata.otherKeyTypes).toEqual([]);
    expect(metadata.shamirThreshold).toBe(2);
    expect(metadata.keyGroups).toEqual([
      { age: [{ recipient: "age1first", enc: "first-enc" }], pgp: [], otherKeyTypes: ["kms"] },
      { age: [], pgp: [{ fp: "ABCDEF", enc: "pgp-enc" }], otherKeyTypes: ["hc_vault"] },
    ]);
  });

  it("reads flattened key groups from dotenv, with the threshold as text", () => {
    const env = [
      "A=ENC[AES256_GCM,data:AA==,iv:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=,tag:AAAAAAAAAAAAAAAAAAAAAA==,type:str]",
      "sops_key_groups__list_0__map_age__list_0__map_recipient=age1one",
      "sops_key_groups__list_0__map_age__list_0__map_enc=one\\nenc",
      "sops_key_groups__list_1__map_age__list_0__map_recipient=age1two",
      "sops_key_groups__list_1__map_age__list_0__map_enc=two",
      "sops_shamir_threshold=2",
      "sops_mac_only_encrypted=false",
      "sops_lastmodified=2024-01-01T00:00:00Z",
      "sops_version=3.9.0",
      "",
    ].join("\n");
    const { metadata } = parseSopsFile(bytes(env), "g.env");
    expect(metadata.keyGroups.map((group) => group.age)).toEqual([
      [{ recipient: "age1one", enc: "one\nenc" }],
      [{ recipient: "age1two", enc: "two" }],
    ]);
    expect(metadata.shamirThreshold).toBe(2);
    expect(metadata.macOnlyEncrypted).toBe(false);
    expect(metadata.mac).toBeUndefined();
  });

  it("lists the other key services a file uses, directly", () => {
    const file = groups.replace(
      / {4}key_groups:[\s\S]*?shamir_threshold: 2\n/,
      '    gcp_kms:\n        - resource_id: r\n          enc: e\n          created_at: "2024-01-01T00:00:00Z"\n    azure_kv: []\n    kms: []\n',
    );
    const { metadata } = parseSopsFile(bytes(file), "g.yaml");
    expect(metadata.otherKeyTypes).toEqual(["gcp_kms"]);
    expect(metadata.keyGroups).toEqual([]);
  });

  it("refuses malformed metadata by field name", () => {
    expect(() =>
      parseSopsFile(
        bytes(groups.replace('lastmodified: "2024-01-01T00:00:00Z"', "lastmodified: yesterday")),
        "g.yaml",
      ),
    ).toThrow(/lastmodified that is not an RFC 3339 time/);
    expect(() => parseSopsFile(bytes(groups.replace("              enc: pgp-enc\n", "")), "g.yaml")).toThrow(
      /key_groups\.1\.pgp\.0\.enc/,
    );
    expect(() =>
      parseSopsFile(
        bytes(groups.replace("unencrypted_suffix: _unencrypted", "encrypted_regex: (?U)a")),
        "g.yaml",
      ),
    ).toThrow(/selector regex croncd cannot evaluate/);
  });
});

describe("format guessing and detection", () => {
  it.each([
    ["a.yaml", "yaml"],
    ["a.yml", "yaml"],
    ["a.json", "json"],
    [".env", "dotenv"],
    ["prod.env", "dotenv"],
    ["a.ini", "ini"],
    ["a.YAML", "binary"],
    ["a.env.txt", "binary"],
    ["Dockerfile", "binary"],
  ])("%s is %s", (file, format) => {
    expect(formatFromPath(file)).toBe(format);
  });

  it("isSopsFile looks for the metadata in each format", () => {
    const json = readFileSync(join(FIXTURES, "sops-nix/secrets.json"));
    expect(isSopsFile(json, "json")).toBe(true);
    expect(isSopsFile(json, "binary")).toBe(true);
    // Carries sops's marks but is not dotenv: say yes, and let parsing give the reason.
    expect(isSopsFile(json, "dotenv")).toBe(true);
    expect(() => parseSopsFile(json, "secrets.json", "dotenv")).toThrow(
      /not valid dotenv: line 1 has no '='/,
    );
    expect(isSopsFile(readFileSync(join(FIXTURES, "sops-nix/secrets.env")), "dotenv")).toBe(true);
    expect(isSopsFile(readFileSync(join(FIXTURES, "sops-nix/secrets.ini")), "ini")).toBe(true);
    expect(isSopsFile(bytes("KEY=value\n"), "dotenv")).toBe(false);
    expect(isSopsFile(bytes("[a]\nb = c\n"), "ini")).toBe(false);
  });
});
