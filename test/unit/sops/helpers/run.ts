/** TEST-ONLY shortcuts around the public API. */
import { decryptLeaves } from "../../../../src/secrets/sops/document.js";
import type { LeafRecord } from "../../../../src/secrets/sops/decrypt.js";
import {
  decryptDocument,
  parseSopsFile,
  type DecryptedSops,
  type SopsFormat,
} from "../../../../src/secrets/sops/index.js";

export function bytes(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, "utf8"));
}

export function decrypt(
  text: string | Uint8Array,
  file: string,
  key: Uint8Array,
  options: { ignoreMac?: boolean; format?: SopsFormat } = {},
): DecryptedSops & { text: string } {
  const content = typeof text === "string" ? bytes(text) : text;
  const result = decryptDocument(parseSopsFile(content, file, options.format), key, {
    ignoreMac: options.ignoreMac ?? false,
  });
  return { ...result, text: new TextDecoder().decode(result.plaintext) };
}

/** [aad, kind, encrypted, hashed] of every leaf, in walk order. */
export function leaves(text: string, file: string, key: Uint8Array): [string, string, boolean, boolean][] {
  const records: LeafRecord[] = decryptLeaves(parseSopsFile(bytes(text), file), key).records;
  return records.map((record) => [record.aad, record.kind, record.encrypted, record.hashed]);
}

/** The message of the error `run` throws. */
export function errorOf(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected an error");
}
