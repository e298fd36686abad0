/**
 * The ownership rule of the manual verbs (prune, suspend, resume of one stack): croncd acts only on
 * a live stack whose every service this target deployed. They read no git, so the live labels are
 * the only proof of ownership.
 */
import type { DockerCli } from "../../ports/docker.js";
import { readLiveStacks } from "./live.js";
import type { LiveStack } from "./model.js";
import { ownedBy } from "./plan.js";

export type OwnedStackLookup = { stack: LiveStack } | { refusal: string };

/** `verb` says what croncd only does to its own stacks: "removes", "suspends". */
export async function findOwnedStack(
  docker: DockerCli,
  target: string,
  name: string,
  verb: string,
): Promise<OwnedStackLookup> {
  const stack = (await readLiveStacks(docker, `target ${target}`)).get(name);
  if (!stack) return { refusal: `no stack named "${name}" runs on target ${target}` };
  const foreign = stack.services.filter((service) => !ownedBy(service.labels, target));
  if (foreign.length > 0) {
    const names = foreign.map((service) => service.name).join(", ");
    return {
      refusal: `refused: croncd target ${target} does not own ${names}; croncd only ${verb} stacks it deployed`,
    };
  }
  return { stack };
}
