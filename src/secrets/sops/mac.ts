/**
 * sops's MAC (getsops/sops `sops.go` `Tree.Decrypt` and `ToBytes`; `cmd/sops/common` `DecryptTree`):
 *
 * - SHA-512 over the bytes of every non-null, non-comment leaf in document order (all documents
 *   of a multi-document YAML file), as plaintext: a string as its bytes, an int in decimal, a
 *   float as `FormatFloat(f, 'f', -1, 64)`, a bool as `True`/`False`, a time as RFC 3339 with
 *   nanoseconds, bytes as they are. No separators, keys are not hashed (their order is, through
 *   the values).
 * - With `mac_only_encrypted`, only leaves that are encrypted count, and the hash starts with the
 *   32 bytes of SHA-256("sops") so that the two kinds of MAC never coincide.
 * - The digest is written as upper-case hex, encrypted like a value (type str) with the
 *   `lastmodified` time re-printed as RFC 3339 (`2006-01-02T15:04:05Z07:00`) as its AAD.
 */
import { createHash, type Hash } from "node:crypto";
import { formatFloatF } from "./gonum.js";
import { formatRfc3339 } from "./gotime.js";
import type { Leaf } from "./tree.js";

/** SHA-256 of "sops": the first bytes hashed when the MAC covers encrypted values only. */
export const MAC_ONLY_ENCRYPTED_INIT = Buffer.from(
  "8a3fd2ad54ce66527b1034f3d147be0b0b975b3bf44f72c6fdadec8176f27d69",
  "hex",
);

/** The bytes a leaf contributes to the MAC; undefined for null (never hashed) or an unprintable time. */
export function macBytes(leaf: Leaf): Uint8Array | undefined {
  switch (leaf.kind) {
    case "str":
      return Buffer.from(leaf.value, "utf8");
    case "rawstr":
    case "bytes":
      return leaf.value;
    case "int":
      return Buffer.from(leaf.value.toString(), "utf8");
    case "float":
      return Buffer.from(formatFloatF(leaf.value), "utf8");
    case "bool":
      return Buffer.from(leaf.value ? "True" : "False", "utf8");
    case "time": {
      const text = formatRfc3339(leaf.value, true);
      return text === undefined ? undefined : Buffer.from(text, "utf8");
    }
    case "null":
      return undefined;
  }
}

export class MacHasher {
  private readonly hash: Hash = createHash("sha512");

  constructor(readonly macOnlyEncrypted: boolean) {
    if (macOnlyEncrypted) this.hash.update(MAC_ONLY_ENCRYPTED_INIT);
  }

  add(bytes: Uint8Array): void {
    this.hash.update(bytes);
  }

  /** Upper-case hex, as sops prints it (`%X`). */
  digest(): string {
    return this.hash.digest("hex").toUpperCase();
  }
}
