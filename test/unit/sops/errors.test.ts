/**
 * Refusals: tampering, wrong keys, truncation, missing MACs, unknown formats. Every message must
 * name the file and say what to do, and never contain a secret.
 */
import { describe, expect, it } from "vitest";
import { SecretError } from "../../../src/errors.js";
import {
  decryptDocument,
  isSopsFile,
  parseSopsFile,
  type SopsFormat,
} from "../../../src/secrets/sops/index.js";
import {
  encryptValue,
  flatSops,
  jsonSops,
  LASTMODIFIED,
  TestEncryptor,
  yamlSops,
} from "./helpers/encrypt.js";
import { bytes, decrypt, errorOf } from "./helpers/run.js";

const SECRETS = ["hunter2-very-secret", "second-secret-value"];

function sample() {
  const e = new TestEncryptor();
  const password = e.enc("db:password:", SECRETS[0] as string);
  const token = e.enc("token:", SECRETS[1] as string);
  const mac = e.mac(LASTMODIFIED);
  const file = ["db:", `    password: ${password}`, `token: ${token}`, yamlSops(mac)].join("\n");
  return { e, password, token, mac, file };
}

function expectRefusal(run: () => unknown, pattern: RegExp): SecretError {
  const error = errorOf(run);
  expect(error).toBeInstanceOf(SecretError);
  expect(error.message).toMatch(/^s\.yaml: /);
  expect(error.message).toMatch(pattern);
  for (const secret of SECRETS) expect(error.message).not.toContain(secret);
  return error as SecretError;
}

function flip(enc: string, field: "data" | "tag" | "iv"): string {
  return enc.replace(new RegExp(`${field}:([^,]+)`), (_, b64: string) => {
    const raw = Buffer.from(b64, "base64");
    raw[0] = (raw[0] as number) ^ 1;
    return `${field}:${raw.toString("base64")}`;
  });
}

describe("tampering and wrong keys", () => {
  it("decrypts the untouched sample", () => {
    const { e, file } = sample();
    expect(decrypt(file, "s.yaml", e.key).secrets).toEqual(SECRETS);
  });

  it("names the value that fails authentication: wrong key", () => {
    const { file } = sample();
    expectRefusal(
      () => decrypt(file, "s.yaml", Buffer.alloc(32, 9)),
      /could not decrypt db\.password — wrong key or tampered value/,
    );
  });

  it.each(["data", "tag", "iv"] as const)("names the value whose %s was tampered with", (field) => {
    const { e, file, token } = sample();
    expectRefusal(
      () => decrypt(file.replace(token, flip(token, field)), "s.yaml", e.key),
      /could not decrypt token — wrong key or tampered value/,
    );
  });

  it("refuses a value moved to another key (its AAD is the path)", () => {
    const { e, file, password, token } = sample();
    const swapped = file.replace(password, "@@").replace(token, password).replace("@@", token);
    expectRefusal(() => decrypt(swapped, "s.yaml", e.key), /could not decrypt db\.password/);
  });

  it("refuses a MAC that does not match (a value replaced by another valid one)", () => {
    const { e, file, token } = sample();
    const replaced = file.replace(token, e.enc("token:", "attacker-value"));
    expectRefusal(
      () => decrypt(replaced, "s.yaml", e.key),
      /MAC mismatch: the file was modified after encryption, or a value was tampered with/,
    );
    // ignoreMac overrides, as `sops --ignore-mac`.
    expect(decrypt(replaced, "s.yaml", e.key, { ignoreMac: true }).secrets).toContain("attacker-value");
  });

  it("refuses a removed value and reordered keys (order is part of the MAC)", () => {
    const { e, file, token } = sample();
    expectRefusal(() => decrypt(file.replace(`token: ${token}\n`, ""), "s.yaml", e.key), /MAC mismatch/);
    const lines = file.split("\n");
    const reordered = [lines[2], lines[0], lines[1], ...lines.slice(3)].join("\n");
    expectRefusal(() => decrypt(reordered, "s.yaml", e.key), /MAC mismatch/);
  });

  it("refuses a tampered MAC and a changed lastmodified (the MAC's AAD)", () => {
    const { e, file, mac } = sample();
    expectRefusal(
      () => decrypt(file.replace(mac, flip(mac, "data")), "s.yaml", e.key),
      /could not decrypt its MAC/,
    );
    const forged = encryptValue(e.key, LASTMODIFIED, "0".repeat(128));
    expectRefusal(() => decrypt(file.replace(mac, forged), "s.yaml", e.key), /MAC mismatch/);
    const later = file.replace(LASTMODIFIED, "2024-05-01T10:20:31Z");
    expectRefusal(() => decrypt(later, "s.yaml", e.key), /could not decrypt its MAC/);
    expect(decrypt(later, "s.yaml", e.key, { ignoreMac: true }).secrets).toEqual(SECRETS);
  });

  it("refuses a file without a MAC unless ignoreMac", () => {
    const { e, file, mac } = sample();
    const noMac = file.replace(`    mac: ${mac}\n`, "");
    expectRefusal(
      () => decrypt(noMac, "s.yaml", e.key),
      /the file has no MAC; refusing \(ignoreMac overrides\)/,
    );
    expect(decrypt(noMac, "s.yaml", e.key, { ignoreMac: true }).secrets).toEqual(SECRETS);
  });

  it("refuses a data key that is not 32 bytes", () => {
    const { file } = sample();
    expectRefusal(() => decrypt(file, "s.yaml", Buffer.alloc(16)), /data key must be 32 bytes/);
  });

  it("accepts the normalised lastmodified as AAD (fraction dropped, +00:00 as Z)", () => {
    // cmd/sops/common DecryptTree: the AAD is LastModified.Format(time.RFC3339).
    const e = new TestEncryptor();
    const value = e.enc("a:", "x");
    const file = [`a: ${value}`, yamlSops(e.mac(LASTMODIFIED))]
      .join("\n")
      .replace(`lastmodified: "${LASTMODIFIED}"`, 'lastmodified: "2024-05-01T10:20:30.123456+00:00"');
    expect(decrypt(file, "s.yaml", e.key).secrets).toEqual(["x"]);
  });
});

describe("malformed and truncated files", () => {
  it("names the key whose ENC value is truncated", () => {
    const { file, token } = sample();
    const cut = file.replace(token, token.slice(0, 40));
    expectRefusal(
      () => parseSopsFile(bytes(cut), "s.yaml"),
      /token is not a sops ENC\[AES256_GCM,…\] value \(truncated or edited\?\)/,
    );
  });

  it("refuses ENC values with bad base64, a short tag or an unknown type", () => {
    const { file, token } = sample();
    for (const bad of [
      token.replace(/data:[^,]+/, "data:@@@@"),
      token.replace(/tag:[^,]+/, "tag:AAAA"),
      token.replace("type:str", "type:nope"),
    ]) {
      expectRefusal(() => parseSopsFile(bytes(file.replace(token, bad)), "s.yaml"), /^s\.yaml: token has/);
    }
  });

  it("refuses a plain value where an encrypted one belongs", () => {
    const { file, token } = sample();
    expectRefusal(
      () => parseSopsFile(bytes(file.replace(token, "42")), "s.yaml"),
      /token should be encrypted but holds a plain int value/,
    );
  });

  it("refuses a value whose decrypted text does not fit its type", () => {
    const e = new TestEncryptor();
    const file = [`n: ${e.enc("n:", "seven", "int")}`, yamlSops(e.mac(LASTMODIFIED))].join("\n");
    expectRefusal(() => decrypt(file, "s.yaml", e.key), /n decrypts to something that is not a valid int/);
  });

  it.each([
    ["yaml", (f: string) => f.slice(0, f.indexOf("lastmodified"))],
    ["yaml", (f: string) => f.slice(0, f.indexOf("    mac:") + 30)],
  ] as const)("refuses a %s file cut inside its metadata", (_, cut) => {
    const { file } = sample();
    const truncated = cut(file);
    const error = errorOf(() => parseSopsFile(bytes(truncated), "s.yaml"));
    expect(error).toBeInstanceOf(SecretError);
    expect(isSopsFile(bytes(truncated), "yaml")).toBe(true);
  });

  it("refuses truncated JSON, dotenv and INI files", () => {
    const e = new TestEncryptor();
    const json = `{"a": "${e.enc("a:", "x")}", ${jsonSops(e.mac(LASTMODIFIED))}}`;
    const jsonCut = json.slice(0, json.length - 40);
    expect(() => parseSopsFile(bytes(jsonCut), "s.json")).toThrow(/the file ends \(truncated\?\)/);
    expect(isSopsFile(bytes(jsonCut), "json")).toBe(true);

    const env = `A=${e.enc("A:", "x")}\n${flatSops(e.mac(LASTMODIFIED), "dotenv")}`;
    const envCut = env.slice(0, env.indexOf("sops_lastmodified"));
    expect(() => parseSopsFile(bytes(envCut), "s.env")).toThrow(/lastmodified/);

    const ini = `[s]\nA = ${e.enc("s:A:", "x")}\n[sops]\n${flatSops(e.mac(LASTMODIFIED), "ini")}`;
    const iniCut = ini.slice(0, ini.indexOf("mac = ") + 20);
    expect(() => parseSopsFile(bytes(iniCut), "s.ini")).toThrow(SecretError);
  });

  it("refuses an empty file and a plain file as not sops files", () => {
    for (const [content, file] of [
      ["", "s.yaml"],
      ["a: b\n", "s.yaml"],
      ['{"a": 1}', "s.json"],
      ["A=1\n", "s.env"],
      ["[a]\nb = c\n", "s.ini"],
      ['{"data": "x"}', "s.bin"],
    ]) {
      expect(() => parseSopsFile(bytes(content as string), file as string)).toThrow(/has no sops metadata/);
    }
    expect(isSopsFile(bytes("a: b\n"), "yaml")).toBe(false);
    expect(isSopsFile(bytes("not json at all"), "binary")).toBe(false);
  });

  it("refuses an unknown format, and isSopsFile says no without throwing", () => {
    const { file } = sample();
    expectRefusal(() => parseSopsFile(bytes(file), "s.yaml", "toml" as SopsFormat), /unknown sops format/);
    expect(isSopsFile(bytes(file), "toml" as SopsFormat)).toBe(false);
  });

  it("reports YAML syntax errors by position, without content", () => {
    const broken = `password: "${SECRETS[0] as string}\n  : [\n`;
    expectRefusal(
      () => parseSopsFile(bytes(broken), "s.yaml"),
      /not valid YAML: \w+ at line \d+, column \d+/,
    );
  });

  it("refuses a file that is not UTF-8 text where text is expected", () => {
    expectRefusal(
      () => parseSopsFile(new Uint8Array([0x61, 0x3a, 0x20, 0xff, 0x0a]), "s.yaml"),
      /not valid UTF-8/,
    );
  });

  it("decryptDocument on a parsed document keeps working after a failure", () => {
    const { e, file } = sample();
    const document = parseSopsFile(bytes(file), "s.yaml");
    expect(() => decryptDocument(document, Buffer.alloc(32))).toThrow(SecretError);
    expect(decryptDocument(document, e.key).secrets).toEqual(SECRETS);
  });
});
