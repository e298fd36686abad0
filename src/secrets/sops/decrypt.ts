/**
 * Decrypts a sops tree with its data key and computes its MAC, leaf by leaf, the way
 * getsops/sops `sops.go` `Tree.Decrypt` does:
 *
 * - a leaf the rules say is encrypted must be an ENC string (or empty); it is opened with its
 *   path as AAD and read back with its type;
 * - a comment the rules say is encrypted is opened the same way; if that fails it is kept as
 *   it is (sops tolerates plaintext comments, which older versions wrote);
 * - every non-null value (or, with `mac_only_encrypted`, every encrypted one) is hashed.
 *
 * Nothing here puts a plaintext value into an error message.
 */
import { openValue, parseEncValue, readPlaintext } from "./cipher.js";
import { macBytes, MacHasher } from "./mac.js";
import { shouldBeEncrypted, type CryptRules } from "./selectors.js";
import type { Branch, CommentNode, Leaf } from "./tree.js";
import { walkDocuments, type Visit } from "./walk.js";

export interface LeafRecord {
  /** The AAD sops uses for this leaf: `key:key:` (`:` at the top level). */
  readonly aad: string;
  readonly display: string;
  readonly kind: "value" | "comment" | "null";
  /** Whether the rules say it is encrypted (for comments: and it did decrypt). */
  readonly encrypted: boolean;
  /** The plaintext leaf (value and null kinds). */
  readonly leaf?: Leaf;
  /** The plaintext comment text (comment kind). */
  readonly comment?: string;
  /** Whether this leaf went into the MAC. */
  readonly hashed: boolean;
}

export interface DecryptedTree {
  readonly documents: Branch[];
  readonly records: LeafRecord[];
  /** Upper-case hex SHA-512, to compare with the file's MAC. */
  readonly computedMac: string;
  /** The plaintext of every value and comment that was encrypted. */
  readonly secrets: string[];
}

/** Why a leaf could not be decrypted; the message names the leaf's path and nothing else. */
export class LeafError extends Error {
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message);
  }
}

export interface DecryptOptions {
  /** Keep `type:str` values whose bytes are not UTF-8 (binary payloads) instead of refusing them. */
  readonly allowRawStrings: boolean;
}

function where(visit: Visit): string {
  return visit.display === "" ? "the top level" : visit.display;
}

export function decryptTree(
  documents: readonly Branch[],
  rules: CryptRules,
  dataKey: Uint8Array,
  options: DecryptOptions,
): DecryptedTree {
  const hasher = new MacHasher(rules.macOnlyEncrypted);
  const records: LeafRecord[] = [];
  const secrets: string[] = [];

  const decryptComment = (
    node: CommentNode,
    aad: string,
    display: string,
    encrypted: boolean,
  ): CommentNode => {
    const kept = (): CommentNode => {
      records.push({ aad, display, kind: "comment", encrypted: false, comment: node.text, hashed: false });
      return node;
    };
    if (!encrypted || node.text === "") return kept();
    const parsed = parseEncValue(node.text);
    if (typeof parsed !== "string") {
      for (const candidate of [aad, ...(node.fallbackAads ?? []).filter((other) => other !== aad)]) {
        const bytes = openValue(parsed, dataKey, candidate);
        if (!bytes) continue;
        const plaintext = readPlaintext(parsed.type, bytes, false);
        if (!plaintext.ok || ("leaf" in plaintext && plaintext.leaf.kind !== "str")) break;
        const text = "comment" in plaintext ? plaintext.comment : plaintext.text;
        records.push({
          aad: candidate,
          display,
          kind: "comment",
          encrypted: true,
          comment: text,
          hashed: false,
        });
        if (text !== "") secrets.push(text);
        return { kind: "comment", text, inline: node.inline };
      }
    }
    // sops keeps a comment it cannot decrypt as it is: files from older versions hold
    // plaintext comments.
    return kept();
  };

  const visitor = (visit: Visit): Leaf | CommentNode => {
    const aad = visit.path.join(":") + ":";
    const node = visit.node;
    if (node.kind === "comment") {
      return decryptComment(
        node,
        aad,
        visit.display,
        shouldBeEncrypted(rules, visit.path, visit.commentsStack, true),
      );
    }
    if (node.kind === "null") {
      records.push({
        aad,
        display: visit.display,
        kind: "null",
        encrypted: false,
        leaf: node,
        hashed: false,
      });
      return node;
    }
    const encrypted = shouldBeEncrypted(rules, visit.path, visit.commentsStack, false);
    let leaf: Leaf = node;
    if (encrypted) {
      if (node.kind !== "str") {
        throw new LeafError(
          `${where(visit)} should be encrypted but holds a plain ${node.kind} value`,
          "the file was edited after encryption; re-encrypt it with sops",
        );
      }
      if (node.value !== "") {
        const parsed = parseEncValue(node.value);
        if (typeof parsed === "string") {
          throw new LeafError(
            `${where(visit)} ${parsed}`,
            "the file looks truncated or edited; restore it from git",
          );
        }
        if (parsed.type === "comment") {
          throw new LeafError(
            `${where(visit)} holds an encrypted comment where a value belongs`,
            "re-encrypt it",
          );
        }
        const bytes = openValue(parsed, dataKey, aad);
        if (!bytes) {
          throw new LeafError(
            `could not decrypt ${where(visit)} — wrong key or tampered value`,
            "check that the data key belongs to this file, and that the file is as sops wrote it",
          );
        }
        const plaintext = readPlaintext(parsed.type, bytes, options.allowRawStrings);
        if (!plaintext.ok) {
          throw new LeafError(
            plaintext.problem === "not-utf8"
              ? `${where(visit)} decrypts to bytes that are not UTF-8 text`
              : `${where(visit)} decrypts to something that is not a valid ${parsed.type}`,
            "re-encrypt the file with sops",
          );
        }
        if (!("leaf" in plaintext)) throw new LeafError(`${where(visit)} is malformed`, "re-encrypt it");
        leaf = plaintext.leaf;
        if (plaintext.text !== "") secrets.push(plaintext.text);
      }
    }
    const hashed = !rules.macOnlyEncrypted || encrypted;
    if (hashed) {
      const bytes = macBytes(leaf);
      if (!bytes) throw new LeafError(`${where(visit)} holds a time sops cannot print`, "fix the value");
      hasher.add(bytes);
    }
    records.push({ aad, display: visit.display, kind: "value", encrypted, leaf, hashed });
    return leaf;
  };

  const decrypted = walkDocuments(documents, visitor);
  return { documents: decrypted, records, computedMac: hasher.digest(), secrets: [...new Set(secrets)] };
}
