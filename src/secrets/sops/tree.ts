/**
 * The document tree every format is loaded into, in the shape sops walks: ordered mappings
 * (branches), sequences, typed scalar leaves and comments.
 *
 * Order is everything here: the MAC hashes leaves in document order, and plain JS objects move
 * integer-like keys ("7", "0") to the front. So mappings are arrays of entries, never objects.
 */
import type { GoTime } from "./gotime.js";

/** A comment line, holding the text after `#`/`;` as found in the file (maybe `ENC[…]`). */
export interface CommentNode {
  readonly kind: "comment";
  readonly text: string;
  /** On the same line as a value (YAML `key: value # comment`). Only matters for output. */
  readonly inline: boolean;
  /**
   * Other AADs worth trying when the comment does not decrypt with its own path. YAML comment
   * placement is guesswork around indentation; GCM authentication makes a wrong guess harmless.
   */
  readonly fallbackAads?: readonly string[];
}

export type Leaf =
  | { readonly kind: "str"; readonly value: string }
  /** A string whose bytes are not UTF-8 (a binary payload): Go strings are bytes. */
  | { readonly kind: "rawstr"; readonly value: Uint8Array }
  | { readonly kind: "int"; readonly value: bigint }
  | { readonly kind: "float"; readonly value: number }
  | { readonly kind: "bool"; readonly value: boolean }
  | { readonly kind: "time"; readonly value: GoTime }
  /** sops's legacy `type:bytes`. */
  | { readonly kind: "bytes"; readonly value: Uint8Array }
  | { readonly kind: "null" };

export interface Entry {
  readonly kind: "entry";
  readonly key: string;
  readonly value: Value;
}

export interface Branch {
  readonly kind: "branch";
  readonly items: readonly (Entry | CommentNode)[];
}

export interface Sequence {
  readonly kind: "seq";
  readonly items: readonly (Value | CommentNode)[];
}

export type Value = Branch | Sequence | Leaf;
