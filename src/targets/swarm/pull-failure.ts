/**
 * When a node cannot pull an image, Swarm's task error says only `No such image: <ref>` (the pull
 * failed and there is no local copy); the registry's reason stays in the node's daemon log. croncd
 * asks the registry once, with the job's own credentials, and puts its answer next to the task's
 * error: `unauthorized`, an unknown tag, a registry that cannot be reached.
 */
import type { TagLookup } from "../../registry/tag-digests.js";

const NO_SUCH_IMAGE = /No such image: (\S+)/;

/** The image a task could not find, without the digest docker may have pinned. */
export function unpulledImage(reason: string): string | undefined {
  const reference = NO_SUCH_IMAGE.exec(reason)?.[1];
  return reference?.split("@")[0];
}

/** The reason, with the registry's answer appended when it explains the failed pull. */
export async function explainPullFailure(
  reason: string,
  lookUp: (image: string) => Promise<TagLookup | undefined>,
): Promise<string> {
  const image = unpulledImage(reason);
  if (!image) return reason;
  const lookup = await lookUp(image);
  return lookup && "error" in lookup ? `${reason} (the registry says: ${lookup.error})` : reason;
}
