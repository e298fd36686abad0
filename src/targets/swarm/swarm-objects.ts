/**
 * Names the file-based Swarm configs and secrets of a stack, and says which of them croncd must
 * create or check itself at apply time.
 *
 * Swarm objects are immutable ("only updates to Labels are allowed"), so an object without a
 * `name:` is named after its content — for a sops file, after its ciphertext, so no name is derived
 * from plaintext. A changed file becomes a new object, and the services roll onto it in the same
 * deploy. The name stays within Swarm's 64-character limit.
 *
 * An explicit `name:` is kept as written: other stacks may refer to that object as `external`, and
 * a rewritten name would break them. Such an object cannot follow a content change, which croncd
 * finds before deploying (see stack-objects.ts).
 *
 * A sops file's decrypted content never reaches the disk: croncd creates its object from memory
 * through the Engine API, and the document `docker stack deploy` reads refers to it as `external`.
 */
import path from "node:path";
import { RenderError } from "../../errors.js";
import type { SourceLocation } from "../../model/changeset.js";
import { resolveRepoFile } from "../../compose/file-refs.js";
import { sha256Hex } from "../../util/hash.js";
import { labelMap } from "../../compose/label-map.js";
import { LABELS, MANAGED_BY_VALUE, STACK_NAMESPACE_LABEL } from "./labels.js";
import type { ObjectContent } from "./object-content.js";
import type { StackSecrets } from "./stack-secrets.js";

export const SWARM_NAME_LIMIT = 64;
const HASH_LENGTH = 12;

export interface SwarmObjectContext {
  repoRoot: string;
  stackDir: string;
  stackName: string;
  /** `stacks/web/compose.yaml` */
  composeFile: string;
  /** Where a key path of the compose file sits, for errors. */
  locate?: (path: readonly (string | number)[]) => SourceLocation;
  secrets: StackSecrets;
}

export type ObjectSection = "configs" | "secrets";

/** A config or secret that croncd creates (sops files) or checks (fixed names) before the deploy. */
export interface StackObject {
  section: ObjectSection;
  /** Its key under the top-level `configs:` or `secrets:`. */
  key: string;
  /** Its name in the Swarm. */
  name: string;
  /** True when the compose file fixes the name with `name:`. */
  fixedName: boolean;
  /**
   * True for a sops file: croncd creates the object from memory, and `docker stack deploy` sees it
   * as `external`. Otherwise `docker stack deploy` creates it from the file, and croncd only checks
   * beforehand that a fixed-name object's content did not change.
   */
  createdByCroncd: boolean;
  /** The labels `docker stack deploy` would give it: the file's own, the stack's, croncd's. */
  labels: Record<string, string>;
  /** `template_driver:`, which the object itself carries. */
  templateDriver?: string;
  content: ObjectContent;
  /** SHA-256 of the file in git (for a sops file, of its ciphertext): never of plaintext. */
  contentDigest: string;
}

export interface NamedObjects {
  /** How many objects were named by content (and leave old revisions behind). */
  contentNamed: number;
  /** The objects croncd creates or checks at apply time. */
  objects: StackObject[];
}

/** Names the top-level `configs:` or `secrets:` entries in place. */
export async function nameFileObjects(
  section: ObjectSection,
  entries: unknown,
  context: SwarmObjectContext,
): Promise<NamedObjects> {
  if (entries === undefined || entries === null) return { contentNamed: 0, objects: [] };
  if (typeof entries !== "object" || Array.isArray(entries)) {
    throw new RenderError(`${section} must be a mapping`, {
      subject: context.composeFile,
      location: context.locate?.([section]) ?? { file: context.composeFile },
    });
  }
  const objects: StackObject[] = [];
  let contentNamed = 0;
  for (const [key, definition] of Object.entries(entries as Record<string, unknown>)) {
    if (!definition || typeof definition !== "object") continue;
    const object = definition as Record<string, unknown>;
    if (object.external || typeof object.file !== "string") continue;
    const absolute = await resolveRepoFile({
      repoRoot: context.repoRoot,
      baseDir: context.stackDir,
      reference: object.file,
      field: `${context.composeFile} ${section}.${key}.file`,
      location: context.locate?.([section, key, "file"]) ?? { file: context.composeFile },
    });
    const display = path.relative(context.repoRoot, absolute);
    const file = await context.secrets.readObjectFile(absolute, display);
    const fixedName = typeof object.name === "string" && object.name !== "";
    if (!fixedName) {
      object.name = contentAddressedName(`${context.stackName}_${key}`, file.nameSource);
      contentNamed += 1;
      // Marks the revisions croncd may remove once no service uses them any more; a fixed name is
      // not a revision, and other stacks may use it.
      object.labels = { ...labelMap(object.labels), [LABELS.managedBy]: MANAGED_BY_VALUE };
    }
    if (!file.encrypted && !fixedName) continue;
    objects.push({
      section,
      key,
      name: object.name as string,
      fixedName,
      createdByCroncd: file.encrypted,
      labels: { ...labelMap(object.labels), [STACK_NAMESPACE_LABEL]: context.stackName },
      ...(typeof object.template_driver === "string" ? { templateDriver: object.template_driver } : {}),
      content: file.content,
      contentDigest: sha256Hex(file.nameSource),
    });
  }
  return { contentNamed, objects };
}

export function contentAddressedName(base: string, content: Uint8Array): string {
  const suffix = `-${sha256Hex(content).slice(0, HASH_LENGTH)}`;
  return `${base.slice(0, SWARM_NAME_LIMIT - suffix.length)}${suffix}`;
}
