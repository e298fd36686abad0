/**
 * sops's value cipher (getsops/sops `aes/cipher.go`): every encrypted value is
 * `ENC[AES256_GCM,data:<b64>,iv:<b64>,tag:<b64>,type:<type>]`, AES-256-GCM with a 32-byte IV,
 * a 16-byte tag and the value's path as additional data. The type says how to read the
 * plaintext back: str, int, float, bool, bytes, time or comment. An empty string stands for an
 * empty value and is never encrypted.
 */
import { createDecipheriv } from "node:crypto";
import { parseGoBool, parseGoFloat, parseGoInt } from "./gonum.js";
import { parseRfc3339 } from "./gotime.js";
import type { Leaf } from "./tree.js";
import { decodeGoBase64 } from "./base64.js";

export const ENC_TYPES = ["str", "int", "float", "bool", "bytes", "time", "comment"] as const;
export type EncType = (typeof ENC_TYPES)[number];

export interface EncValue {
  readonly data: Buffer;
  readonly iv: Buffer;
  readonly tag: Buffer;
  readonly type: EncType;
}

/** The same pattern sops matches (anchored at the start only). */
const ENC_PATTERN = /^ENC\[AES256_GCM,data:(.+),iv:(.+),tag:(.+),type:(.+)\]/;

/** Parses an ENC value; a string saying what is wrong (no secret in it) when it is malformed. */
export function parseEncValue(text: string): EncValue | string {
  const m = ENC_PATTERN.exec(text);
  if (!m) return "is not a sops ENC[AES256_GCM,…] value (truncated or edited?)";
  const [, data = "", iv = "", tag = "", type = ""] = m;
  const dataBytes = decodeGoBase64(data);
  const ivBytes = decodeGoBase64(iv);
  const tagBytes = decodeGoBase64(tag);
  if (!dataBytes) return "has data that is not valid base64";
  if (!ivBytes || ivBytes.length === 0) return "has an iv that is not valid base64";
  if (!tagBytes || tagBytes.length !== 16) return "has a tag that is not 16 bytes of base64";
  if (!(ENC_TYPES as readonly string[]).includes(type)) return "has an unknown type";
  return { data: dataBytes, iv: ivBytes, tag: tagBytes, type: type as EncType };
}

/** AES-256-GCM open; undefined when authentication fails (wrong key, wrong AAD, tampered bytes). */
export function openValue(value: EncValue, key: Uint8Array, aad: string): Buffer | undefined {
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, value.iv, { authTagLength: 16 });
    decipher.setAAD(Buffer.from(aad, "utf8"));
    decipher.setAuthTag(value.tag);
    return Buffer.concat([decipher.update(value.data), decipher.final()]);
  } catch {
    return undefined;
  }
}

export type Plaintext =
  | { readonly ok: true; readonly leaf: Leaf; readonly text: string }
  | { readonly ok: true; readonly comment: string; readonly text: string }
  | { readonly ok: false; readonly problem: "not-utf8" | "bad-type-value" };

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const lossyUtf8 = new TextDecoder("utf-8", { ignoreBOM: true });

function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * Reads decrypted bytes back according to the value's type, as `aes.Cipher.Decrypt` does.
 * `text` is the plaintext as text, for log masking. A `str` that is not UTF-8 is kept as raw
 * bytes only when `allowRawStrings` (binary payloads); elsewhere it is a problem.
 */
export function readPlaintext(type: EncType, bytes: Buffer, allowRawStrings: boolean): Plaintext {
  const text = decodeUtf8(bytes);
  switch (type) {
    case "str":
      if (text !== undefined) return { ok: true, leaf: { kind: "str", value: text }, text };
      if (!allowRawStrings) return { ok: false, problem: "not-utf8" };
      return {
        ok: true,
        leaf: { kind: "rawstr", value: new Uint8Array(bytes) },
        text: lossyUtf8.decode(bytes),
      };
    case "bytes":
      return {
        ok: true,
        leaf: { kind: "bytes", value: new Uint8Array(bytes) },
        text: text ?? lossyUtf8.decode(bytes),
      };
    case "comment":
      return { ok: true, comment: text ?? lossyUtf8.decode(bytes), text: text ?? lossyUtf8.decode(bytes) };
  }
  if (text === undefined) return { ok: false, problem: "bad-type-value" };
  switch (type) {
    case "int": {
      const value = parseGoInt(text);
      return value === undefined
        ? { ok: false, problem: "bad-type-value" }
        : { ok: true, leaf: { kind: "int", value }, text };
    }
    case "float": {
      const value = parseGoFloat(text);
      return value === undefined
        ? { ok: false, problem: "bad-type-value" }
        : { ok: true, leaf: { kind: "float", value }, text };
    }
    case "bool": {
      const value = parseGoBool(text);
      return value === undefined
        ? { ok: false, problem: "bad-type-value" }
        : { ok: true, leaf: { kind: "bool", value }, text };
    }
    case "time": {
      const value = parseRfc3339(text);
      return value === undefined
        ? { ok: false, problem: "bad-type-value" }
        : { ok: true, leaf: { kind: "time", value }, text };
    }
  }
}
