/**
 * Decrypts one sops file the way `sops --decrypt` does: read, parse, find the data key (age
 * in-process, anything else through the sops binary), decrypt and verify the MAC.
 */
import { readFile } from "node:fs/promises";
import { parseAllDocuments } from "yaml";
import { SecretError } from "../errors.js";
import { resolveDataKeyWithReason } from "./keys/data-key.js";
import { decryptWithSopsBinary } from "./keys/sops-binary.js";
import {
  decryptDocument,
  formatFromPath,
  isSopsFile,
  parseSopsFile,
  type DecryptedSops,
  type SopsFormat,
} from "./sops/index.js";

export interface DecryptFileOptions {
  /** Where the keys come from: SOPS_AGE_KEY, SOPS_AGE_KEY_FILE, SOPS_AGE_KEY_CMD, XDG_CONFIG_HOME, HOME. */
  env: NodeJS.ProcessEnv;
  /** Decrypt even when the MAC is missing or does not match (`sops --ignore-mac`). */
  ignoreMac?: boolean;
  /** The file's format; by default taken from its name, as sops does. */
  format?: SopsFormat;
  /** How messages name the file (a repository-relative path); the path itself by default. */
  displayName?: string;
}

export async function decryptSopsFile(path: string, options: DecryptFileOptions): Promise<DecryptedSops> {
  const shown = options.displayName ?? path;
  let content: Uint8Array;
  try {
    content = await readFile(path);
  } catch (error) {
    throw new SecretError(`cannot be read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, {
      subject: shown,
      cause: error,
    });
  }
  const format = options.format ?? formatFromPath(path);
  if (!isSopsFile(content, format)) {
    throw new SecretError(`is not a sops-encrypted ${format} file: it has no sops metadata`, {
      subject: shown,
      hint: "give the format with --input-type if the file name does not tell it",
    });
  }
  const document = parseSopsFile(content, shown, format);
  const resolution = await resolveDataKeyWithReason(document.metadata, { env: options.env, file: shown });
  if ("dataKey" in resolution) {
    try {
      return decryptDocument(document, resolution.dataKey, { ignoreMac: options.ignoreMac ?? false });
    } finally {
      resolution.dataKey.fill(0);
    }
  }
  const plaintext = await decryptWithSopsBinary(path, {
    env: options.env,
    format,
    metadata: document.metadata,
    ageReason: resolution.reason,
    displayName: shown,
    ...(options.ignoreMac ? { ignoreMac: true } : {}),
  });
  return describePlaintext(plaintext, content, format);
}

/**
 * What callers need beside the plaintext, when the sops binary decrypted the file: the values to
 * mask and, for dotenv, the variables (as the in-process path gives them: other formats have none). Every value of the plaintext is a secret, except values
 * the encrypted file itself holds in clear (`encrypted_regex`, `_unencrypted` keys): those are
 * in git already, and masking `Secret` or `default` everywhere would make logs unreadable.
 */
export function describePlaintext(
  plaintext: Uint8Array,
  encrypted: Uint8Array,
  format: SopsFormat,
): DecryptedSops {
  const text = new TextDecoder().decode(plaintext);
  if (format === "binary") return { plaintext, variables: new Map(), secrets: text ? [text] : [] };
  let plain: Leaves;
  let clear: Set<string>;
  try {
    plain = leafValues(text, format);
    clear = new Set(leafValues(new TextDecoder().decode(encrypted), format).values);
  } catch {
    // Unparseable output (sops would not write it, but a changed sops might): mask all of it.
    return { plaintext, variables: new Map(), secrets: text ? [text] : [] };
  }
  const secrets = [...new Set(plain.values.filter((value) => value !== "" && !clear.has(value)))];
  return { plaintext, variables: plain.variables, secrets };
}

interface Leaves {
  values: string[];
  variables: Map<string, string>;
}

function leafValues(text: string, format: Exclude<SopsFormat, "binary">): Leaves {
  if (format === "dotenv") return dotenvLeaves(text);
  if (format === "ini") return iniLeaves(text);
  const values: string[] = [];
  for (const document of parseAllDocuments(text)) {
    if (document.errors.length > 0) throw new Error("sops printed YAML that does not parse");
    const data: unknown = document.toJS();
    if (isRecord(data)) delete data.sops;
    collect(data, values);
  }
  return { values, variables: new Map() };
}

function collect(value: unknown, into: string[]): void {
  if (isScalar(value)) into.push(String(value));
  else if (Array.isArray(value)) for (const item of value) collect(item, into);
  else if (isRecord(value)) for (const item of Object.values(value)) collect(item, into);
}

const isScalar = (value: unknown): value is string | number | boolean | bigint =>
  typeof value === "string" ||
  typeof value === "number" ||
  typeof value === "boolean" ||
  typeof value === "bigint";

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Date);

/** sops's own dotenv reading: `KEY=value` split at the first `=`, `\n` escapes, `#` comments. */
function dotenvLeaves(text: string): Leaves {
  const variables = new Map<string, string>();
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const equals = line.indexOf("=");
    if (equals === -1) continue;
    const key = line.slice(0, equals);
    if (key.startsWith("sops_")) continue;
    variables.set(key, line.slice(equals + 1).replaceAll("\\n", "\n"));
  }
  return { values: [...variables.values()], variables };
}

/** INI values (`key = value` under `[section]`), without the encrypted file's `[sops]` section. */
function iniLeaves(text: string): Leaves {
  const values: string[] = [];
  let section = "";
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === "" || line.startsWith(";") || line.startsWith("#")) continue;
    if (line.startsWith("[") && line.endsWith("]")) {
      section = line.slice(1, -1).trim();
      continue;
    }
    const equals = line.indexOf("=");
    if (equals === -1 || section === "sops") continue;
    values.push(line.slice(equals + 1).trim());
  }
  return { values, variables: new Map() };
}
