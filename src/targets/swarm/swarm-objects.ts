/**
 * Swarm configs and secrets are immutable ("only updates to Labels are allowed"), so a file-based
 * one is named after its content — for a sops file, after its ciphertext, so no name is derived
 * from plaintext. A changed file becomes a new object, and the services roll onto it in the same
 * deploy. The name stays within Swarm's 64-character limit.
 */
import path from "node:path";
import { RenderError } from "../../errors.js";
import { resolveRepoFile } from "../../compose/file-refs.js";
import { sha256Hex } from "../../util/hash.js";
import { labelMap } from "../../compose/label-map.js";
import { LABELS, MANAGED_BY_VALUE } from "./labels.js";
import type { StackSecrets } from "./stack-secrets.js";

export const SWARM_NAME_LIMIT = 64;
const HASH_LENGTH = 12;

export interface SwarmObjectContext {
  repoRoot: string;
  stackDir: string;
  stackName: string;
  /** `stacks/web/compose.yaml` */
  composeFile: string;
  secrets: StackSecrets;
}

/** A decrypted copy that `docker stack deploy` must read instead of the file in git. */
export interface DeployFile {
  section: "configs" | "secrets";
  key: string;
  path: string;
}

export interface NamedObjects {
  /** How many objects were named by content. */
  count: number;
  deployFiles: DeployFile[];
}

/** Names the top-level `configs:` or `secrets:` entries in place; returns the decrypted copies. */
export async function nameFileObjectsByContent(
  section: "configs" | "secrets",
  entries: unknown,
  context: SwarmObjectContext,
): Promise<NamedObjects> {
  if (entries === undefined || entries === null) return { count: 0, deployFiles: [] };
  if (typeof entries !== "object" || Array.isArray(entries)) {
    throw new RenderError(`${section} must be a mapping`, { subject: context.composeFile });
  }
  const deployFiles: DeployFile[] = [];
  let count = 0;
  for (const [key, definition] of Object.entries(entries as Record<string, unknown>)) {
    if (!definition || typeof definition !== "object") continue;
    const object = definition as Record<string, unknown>;
    if (object.external || typeof object.file !== "string") continue;
    const absolute = await resolveRepoFile({
      repoRoot: context.repoRoot,
      baseDir: context.stackDir,
      reference: object.file,
      field: `${context.composeFile} ${section}.${key}.file`,
    });
    const display = path.relative(context.repoRoot, absolute);
    const file = await context.secrets.readObjectFile(absolute, display, `${section}-${key}`);
    const base = typeof object.name === "string" ? object.name : `${context.stackName}_${key}`;
    object.name = contentAddressedName(base, file.nameSource);
    count += 1;
    // Marks the revisions croncd may remove once no service uses them any more.
    object.labels = { ...labelMap(object.labels), [LABELS.managedBy]: MANAGED_BY_VALUE };
    if (file.plaintextPath) deployFiles.push({ section, key, path: file.plaintextPath });
  }
  return { count, deployFiles };
}

export function contentAddressedName(base: string, content: Uint8Array): string {
  const suffix = `-${sha256Hex(content).slice(0, HASH_LENGTH)}`;
  return `${base.slice(0, SWARM_NAME_LIMIT - suffix.length)}${suffix}`;
}
