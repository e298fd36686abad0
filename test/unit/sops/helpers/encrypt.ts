/**
 * TEST-ONLY. Writes what sops would write, with node:crypto, so unit tests can build encrypted
 * files for cases no real fixture covers. Nothing under src/ may import this.
 *
 * It is deliberately explicit rather than clever: a test says, leaf by leaf in document order,
 * what is encrypted (with which AAD and type) and what goes into the MAC. The rules it follows are
 * getsops/sops `aes/cipher.go` (ENC format, 32-byte IV, AAD) and `sops.go` (`Tree.Encrypt`: the
 * MAC is SHA-512 over the plaintext bytes of each hashed leaf, upper-case hex, encrypted with the
 * RFC 3339 lastmodified as AAD; `mac_only_encrypted` starts the hash with SHA-256("sops")).
 */
import { createCipheriv, createHash, randomBytes, type Hash } from "node:crypto";

export type TestEncType = "str" | "int" | "float" | "bool" | "bytes" | "time" | "comment";

/** One sops ENC value. `plaintext` is the exact bytes sops encrypts (e.g. `True`, `7`, `3.14`). */
export function encryptValue(
  key: Uint8Array,
  aad: string,
  plaintext: string | Uint8Array,
  type: TestEncType = "str",
  iv: Uint8Array = randomBytes(32),
): string {
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(Buffer.from(aad, "utf8"));
  const data = Buffer.concat([
    cipher.update(typeof plaintext === "string" ? Buffer.from(plaintext, "utf8") : plaintext),
    cipher.final(),
  ]);
  const tag = cipher.getAuthTag();
  const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64");
  return `ENC[AES256_GCM,data:${b64(data)},iv:${b64(iv)},tag:${b64(tag)},type:${type}]`;
}

const MAC_ONLY_ENCRYPTED_INIT = createHash("sha256").update("sops").digest();

export class TestEncryptor {
  readonly key: Buffer;
  private readonly hash: Hash = createHash("sha512");

  constructor(options: { key?: Uint8Array; macOnlyEncrypted?: boolean } = {}) {
    this.key = Buffer.from(options.key ?? randomBytes(32));
    if (options.macOnlyEncrypted) this.hash.update(MAC_ONLY_ENCRYPTED_INIT);
  }

  /** An encrypted value; hashed into the MAC unless `hash: false`. */
  enc(
    aad: string,
    plaintext: string | Uint8Array,
    type: TestEncType = "str",
    options: { hash?: boolean } = {},
  ): string {
    if (options.hash ?? true)
      this.hash.update(typeof plaintext === "string" ? Buffer.from(plaintext, "utf8") : plaintext);
    return encryptValue(this.key, aad, plaintext, type);
  }

  /** An encrypted comment: never hashed. */
  comment(aad: string, text: string): string {
    return encryptValue(this.key, aad, text, "comment");
  }

  /** A value left in clear that sops hashes, given as the bytes sops hashes for it. */
  plain(macBytes: string): void {
    this.hash.update(Buffer.from(macBytes, "utf8"));
  }

  /** The MAC digest as sops writes it before encryption: upper-case hex SHA-512. */
  digest(): string {
    return this.hash.copy().digest("hex").toUpperCase();
  }

  /** The encrypted MAC, for the RFC 3339 `lastmodified` given (its AAD). */
  mac(lastmodified: string): string {
    return encryptValue(this.key, lastmodified, this.digest(), "str");
  }
}

const AGE_STANZA_ENC = [
  "-----BEGIN AGE ENCRYPTED FILE-----",
  "YWdlLWVuY3J5cHRpb24ub3JnL3YxCi0+IFgyNTUxOSB0ZXN0LW9ubHkKdGVzdC1v",
  "-----END AGE ENCRYPTED FILE-----",
];
const RECIPIENT = "age1qyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqs3290gq";

export const LASTMODIFIED = "2024-05-01T10:20:30Z";

/** A YAML `sops:` section (new layout) with one age recipient and the given extra lines. */
export function yamlSops(
  mac: string | undefined,
  extra: string[] = ["unencrypted_suffix: _unencrypted"],
): string {
  return [
    "sops:",
    "    age:",
    `        - recipient: ${RECIPIENT}`,
    "          enc: |",
    ...AGE_STANZA_ENC.map((line) => `            ${line}`),
    `    lastmodified: "${LASTMODIFIED}"`,
    ...(mac === undefined ? [] : [`    mac: ${mac}`]),
    ...extra.map((line) => `    ${line}`),
    "    version: 3.9.0",
    "",
  ].join("\n");
}

/** The same metadata as JSON members (without braces), for the `sops` object. */
export function jsonSops(
  mac: string | undefined,
  extra: Record<string, unknown> = { unencrypted_suffix: "_unencrypted" },
): string {
  const sops = {
    age: [{ recipient: RECIPIENT, enc: AGE_STANZA_ENC.join("\n") + "\n" }],
    lastmodified: LASTMODIFIED,
    ...(mac === undefined ? {} : { mac }),
    ...extra,
    version: "3.9.0",
  };
  return `"sops": ${JSON.stringify(sops, null, "\t")}`;
}

/** Flattened metadata lines for dotenv (`sops_` prefix) or INI (no prefix, `key = value`). */
export function flatSops(
  mac: string | undefined,
  style: "dotenv" | "ini",
  extra: Record<string, string> = { unencrypted_suffix: "_unencrypted" },
): string {
  const entries: [string, string][] = [
    ["age__list_0__map_enc", AGE_STANZA_ENC.join("\\n") + "\\n"],
    ["age__list_0__map_recipient", RECIPIENT],
    ["lastmodified", LASTMODIFIED],
    ...(mac === undefined ? [] : ([["mac", mac]] as [string, string][])),
    ...Object.entries(extra),
    ["version", "3.9.0"],
  ];
  return (
    entries
      .map(([key, value]) => (style === "dotenv" ? `sops_${key}=${value}` : `${key} = ${value}`))
      .join("\n") + "\n"
  );
}
