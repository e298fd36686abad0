/**
 * Swarm configs and secrets are immutable ("only updates to Labels are allowed"), so a file-based
 * one is named after its content: a changed file becomes a new object, and the services roll onto
 * it in the same deploy. The name stays within Swarm's 64-character limit.
 */
import { readFile } from "node:fs/promises";
import { RenderError } from "../../errors.js";
import { resolveRepoFile } from "../../compose/file-refs.js";
import { sha256Hex } from "../../util/hash.js";

export const SWARM_NAME_LIMIT = 64;
const HASH_LENGTH = 12;

export interface SwarmObjectContext {
  repoRoot: string;
  stackDir: string;
  stackName: string;
  /** `stacks/web/compose.yaml` */
  composeFile: string;
}

/** Rewrites top-level `configs:` or `secrets:` entries in place; returns nothing. */
export async function nameFileObjectsByContent(
  section: "configs" | "secrets",
  entries: unknown,
  context: SwarmObjectContext,
): Promise<void> {
  if (entries === undefined || entries === null) return;
  if (typeof entries !== "object" || Array.isArray(entries)) {
    throw new RenderError(`${section} must be a mapping`, { subject: context.composeFile });
  }
  for (const [key, definition] of Object.entries(entries as Record<string, unknown>)) {
    if (!definition || typeof definition !== "object") continue;
    const object = definition as Record<string, unknown>;
    if (object.external || typeof object.file !== "string") continue;
    const field = `${context.composeFile} ${section}.${key}.file`;
    const absolute = await resolveRepoFile({
      repoRoot: context.repoRoot,
      baseDir: context.stackDir,
      reference: object.file,
      field,
    });
    const content = await readFile(absolute);
    const base = typeof object.name === "string" ? object.name : `${context.stackName}_${key}`;
    object.name = contentAddressedName(base, content);
  }
}

export function contentAddressedName(base: string, content: Uint8Array): string {
  const suffix = `-${sha256Hex(content).slice(0, HASH_LENGTH)}`;
  return `${base.slice(0, SWARM_NAME_LIMIT - suffix.length)}${suffix}`;
}
