/**
 * A sops file end to end, without any key service: load it in its format, split off the `sops`
 * metadata (getsops/sops `stores/metadata.go` `ExtractMetadata`), check every encrypted value is
 * well formed, and — given the 32-byte data key — decrypt, verify the MAC and print the plaintext
 * in the file's own format.
 */
import { SecretError } from "../../errors.js";
import { openValue, parseEncValue, readPlaintext } from "./cipher.js";
import { decryptTree, LeafError } from "./decrypt.js";
import { unflatten, type PlainValue } from "./flatten.js";
import { emitBinary } from "./formats/binary.js";
import { dotenvVariables, emitDotenv, parseDotenv } from "./formats/dotenv.js";
import { emitIni, parseIni } from "./formats/ini.js";
import { emitJson, parseJson } from "./formats/json.js";
import { FormatProblem, utf8Text } from "./formats/problem.js";
import { emitYaml } from "./formats/yaml-emit.js";
import { parseYaml } from "./formats/yaml.js";
import { formatFromPath, isSopsFormat, type SopsFormat } from "./format.js";
import { UnsupportedGoRegex } from "./goregex.js";
import { parseMetadata, plainMetadata, type SopsMetadata } from "./metadata.js";
import { shouldBeEncrypted, type CryptRules } from "./selectors.js";
import type { Branch, Entry } from "./tree.js";
import { walkDocuments } from "./walk.js";

export interface SopsDocument {
  file: string;
  format: SopsFormat;
  metadata: SopsMetadata;
  /** The data without the `sops` section: one branch per YAML document, one for other formats. */
  readonly documents: readonly Branch[];
  /** Which leaves are encrypted and hashed. */
  readonly rules: CryptRules;
  /** `lastmodified` as RFC 3339: the MAC's AAD. */
  readonly macAad: string;
}

export interface DecryptedSops {
  /** The plaintext in the file's own format, as `sops --decrypt` prints it (Uint8Array for binary). */
  plaintext: Uint8Array;
  /** dotenv: the variables in order (keys untrimmed, as sops keeps them); empty Map for other formats. */
  variables: Map<string, string>;
  /** Every decrypted value as text (including comments), so callers can mask them in logs. */
  secrets: string[];
}

const SOPS_KEY = "sops";
const SOPS_PREFIX = "sops_";

interface Loaded {
  readonly documents: Branch[];
  /** Undefined when the file has no sops metadata. */
  readonly metadata: PlainValue | undefined;
}

function withoutKey(tree: Branch, drop: (item: Entry) => boolean): Branch {
  return { kind: "branch", items: tree.items.filter((item) => item.kind === "comment" || !drop(item)) };
}

function nested(documents: Branch[]): Loaded {
  const first = documents[0];
  const sections = first
    ? first.items.filter((item): item is Entry => item.kind === "entry" && item.key === SOPS_KEY)
    : [];
  if (sections.length > 1) throw new FormatProblem("has more than one sops section");
  const section = sections[0];
  const stripped = documents.map((tree) => withoutKey(tree, (item) => item.key === SOPS_KEY));
  if (!section) return { documents: stripped, metadata: undefined };
  if (section.value.kind !== "branch") throw new FormatProblem("has a sops entry that is not a mapping");
  return { documents: stripped, metadata: plainMetadata(section.value) };
}

function flattened(tree: Branch, pairs: (readonly [string, PlainValue])[]): Loaded {
  if (pairs.length === 0) return { documents: [tree], metadata: undefined };
  try {
    return { documents: [tree], metadata: unflatten(pairs) };
  } catch (error) {
    throw new FormatProblem(`has malformed sops metadata: ${(error as Error).message}`);
  }
}

function load(format: SopsFormat, content: Uint8Array): Loaded {
  switch (format) {
    case "yaml":
      return nested(parseYaml(utf8Text(content, "YAML")));
    case "json":
    case "binary":
      return nested([parseJson(new TextDecoder().decode(content))]);
    case "dotenv": {
      const tree = parseDotenv(utf8Text(content, "dotenv"));
      const pairs = tree.items.flatMap((item) =>
        item.kind === "entry" && item.key.startsWith(SOPS_PREFIX)
          ? [[item.key.slice(SOPS_PREFIX.length), plainMetadata(item.value)] as const]
          : [],
      );
      return flattened(
        withoutKey(tree, (item) => item.key.startsWith(SOPS_PREFIX)),
        pairs,
      );
    }
    case "ini": {
      const tree = parseIni(utf8Text(content, "INI"));
      const section = tree.items.find(
        (item): item is Entry => item.kind === "entry" && item.key === SOPS_KEY,
      );
      const pairs =
        section && section.value.kind === "branch"
          ? section.value.items.flatMap((item) =>
              item.kind === "entry" && item.value.kind === "str"
                ? [[item.key, item.value.value.replaceAll("\\n", "\n")] as const]
                : [],
            )
          : [];
      return flattened(
        withoutKey(tree, (item) => item.key === SOPS_KEY),
        pairs,
      );
    }
  }
}

function secretError(file: string, message: string, hint?: string, cause?: unknown): SecretError {
  return new SecretError(message, { subject: file, ...(hint ? { hint } : {}), ...(cause ? { cause } : {}) });
}

function checkFormat(format: unknown, file: string): SopsFormat {
  if (!isSopsFormat(format)) {
    throw secretError(file, "has an unknown sops format", "use one of yaml, json, dotenv, ini, binary");
  }
  return format;
}

/** Refuses a file whose encrypted values are not all well-formed ENC strings (truncation, edits). */
function checkEncryptedValues(documents: readonly Branch[], rules: CryptRules, file: string): void {
  walkDocuments(documents, (visit) => {
    const node = visit.node;
    if (node.kind === "comment" || node.kind === "null") return node;
    if (!shouldBeEncrypted(rules, visit.path, visit.commentsStack, false)) return node;
    const where = visit.display === "" ? "the top level" : visit.display;
    if (node.kind !== "str") {
      throw secretError(
        file,
        `${where} should be encrypted but holds a plain ${node.kind} value`,
        "re-encrypt it with sops",
      );
    }
    if (node.value === "") return node;
    const parsed = parseEncValue(node.value);
    if (typeof parsed === "string") {
      throw secretError(
        file,
        `${where} ${parsed}`,
        "the file looks truncated or edited; restore it from git",
      );
    }
    return node;
  });
}

/** Parses a sops-encrypted file; throws SecretError naming `file` if it is not a sops file or is malformed (truncated...). */
export function parseSopsFile(content: Uint8Array, file: string, format?: SopsFormat): SopsDocument {
  const chosen = checkFormat(format ?? formatFromPath(file), file);
  let loaded: Loaded;
  try {
    loaded = load(chosen, content);
  } catch (error) {
    if (error instanceof FormatProblem) throw secretError(file, error.message, error.hint, error);
    throw error;
  }
  if (loaded.metadata === undefined) {
    throw secretError(
      file,
      `is not a sops-encrypted ${chosen} file: it has no sops metadata`,
      "encrypt it with sops, or give its format if the file name does not tell it",
    );
  }
  let parsed: ReturnType<typeof parseMetadata>;
  try {
    parsed = parseMetadata(loaded.metadata);
  } catch (error) {
    if (error instanceof UnsupportedGoRegex) {
      throw secretError(
        file,
        `uses a selector regex croncd cannot evaluate (${error.message})`,
        "decrypt it with the sops binary",
      );
    }
    throw secretError(
      file,
      (error as Error).message,
      "the file looks truncated or edited; restore it from git",
      error,
    );
  }
  if (parsed.metadata.mac !== undefined && typeof parseEncValue(parsed.metadata.mac) === "string") {
    throw secretError(file, "has a malformed MAC", "the file looks truncated or edited; restore it from git");
  }
  checkEncryptedValues(loaded.documents, parsed.rules, file);
  return {
    file,
    format: chosen,
    metadata: parsed.metadata,
    documents: loaded.documents,
    rules: parsed.rules,
    macAad: parsed.macAad,
  };
}

const MARKERS: Record<SopsFormat, RegExp> = {
  yaml: /^sops:/m,
  json: /"sops"\s*:/,
  binary: /"sops"\s*:/,
  dotenv: /^sops_(?:mac|lastmodified|version)=/m,
  ini: /^\s*\[sops\]/m,
};

/**
 * True when the bytes look like a sops file of that format (has a sops metadata section); never
 * throws. Also true for a file that is unreadable in that format or lacks metadata but carries
 * sops's marks (`ENC[AES256_GCM,…]`, a `sops` section): most likely a truncated sops file, which
 * parseSopsFile then refuses with the reason.
 */
export function isSopsFile(content: Uint8Array, format: SopsFormat): boolean {
  if (!isSopsFormat(format)) return false;
  try {
    const loaded = load(format, content);
    if (loaded.metadata !== undefined) return true;
    // Encrypted values without metadata: a sops file cut short. Say yes, so that parsing
    // reports it instead of ciphertext being used as plaintext.
    return new TextDecoder().decode(content).includes("ENC[AES256_GCM,");
  } catch {
    // Unreadable as that format (truncated?): still a sops file if it carries sops's marks, so
    // that the caller reports it instead of using ciphertext as plaintext.
    try {
      const text = new TextDecoder().decode(content);
      return text.includes("ENC[AES256_GCM,") || MARKERS[format].test(text);
    } catch {
      return false;
    }
  }
}

function verifyMac(document: SopsDocument, dataKey: Uint8Array, computed: string, ignoreMac: boolean): void {
  const { file, metadata } = document;
  if (metadata.mac === undefined) {
    if (ignoreMac) return;
    throw secretError(
      file,
      "the file has no MAC; refusing (ignoreMac overrides)",
      "re-encrypt it with sops to add one",
    );
  }
  const parsed = parseEncValue(metadata.mac);
  const bytes = typeof parsed === "string" ? undefined : openValue(parsed, dataKey, document.macAad);
  if (!bytes || typeof parsed === "string") {
    if (ignoreMac) return;
    throw secretError(
      file,
      "could not decrypt its MAC — wrong key, or the MAC or lastmodified was tampered with",
      "check that the data key belongs to this file",
    );
  }
  const plaintext = readPlaintext(parsed.type, bytes, false);
  const stored =
    plaintext.ok && "leaf" in plaintext && plaintext.leaf.kind === "str" ? plaintext.leaf.value : "";
  if (stored !== computed && !ignoreMac) {
    throw secretError(
      file,
      "MAC mismatch: the file was modified after encryption, or a value was tampered with",
      "restore it from git or re-encrypt it with sops; ignoreMac overrides",
    );
  }
}

function emit(document: SopsDocument, documents: Branch[]): Uint8Array {
  const text = (value: string) => new Uint8Array(Buffer.from(value, "utf8"));
  const first: Branch = documents[0] ?? { kind: "branch", items: [] };
  switch (document.format) {
    case "yaml":
      return text(emitYaml(documents));
    case "json":
      return text(emitJson(first));
    case "dotenv":
      return text(emitDotenv(first));
    case "ini":
      return text(emitIni(first));
    case "binary":
      return emitBinary(first);
  }
}

/** Decrypts every value with the 32-byte data key and verifies the MAC (refuses a missing or wrong MAC unless ignoreMac). */
export function decryptDocument(
  document: SopsDocument,
  dataKey: Uint8Array,
  options: { ignoreMac?: boolean } = {},
): DecryptedSops {
  const { file } = document;
  if (dataKey.length !== 32) throw secretError(file, "cannot be decrypted: the data key must be 32 bytes");
  let decrypted: ReturnType<typeof decryptTree>;
  try {
    decrypted = decryptTree(document.documents, document.rules, dataKey, {
      allowRawStrings: document.format === "binary",
    });
  } catch (error) {
    if (error instanceof LeafError) throw secretError(file, error.message, error.hint);
    throw error;
  }
  verifyMac(document, dataKey, decrypted.computedMac, options.ignoreMac ?? false);
  let plaintext: Uint8Array;
  try {
    plaintext = emit(document, decrypted.documents);
  } catch (error) {
    if (error instanceof FormatProblem) throw secretError(file, error.message, error.hint);
    throw error;
  }
  const first = decrypted.documents[0];
  return {
    plaintext,
    variables: document.format === "dotenv" && first ? dotenvVariables(first) : new Map<string, string>(),
    secrets: decrypted.secrets,
  };
}

/** Every leaf of a document in order, decrypted (for tests and diagnostics; values are secrets). */
export function decryptLeaves(document: SopsDocument, dataKey: Uint8Array): ReturnType<typeof decryptTree> {
  return decryptTree(document.documents, document.rules, dataKey, {
    allowRawStrings: document.format === "binary",
  });
}
