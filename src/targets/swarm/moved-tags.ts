/**
 * Moving tags (`followTags`): a service deployed from `app:latest` runs the digest the tag named at
 * its last deploy, which `docker stack deploy --resolve-image always` wrote into the service's spec
 * (`ContainerSpec.Image` = `app:latest@sha256:…`). That is croncd's record; the registry's current
 * answer for the tag (tag-digests.ts) is compared with it here, without any I/O.
 */
import type { TagLookup } from "../../registry/tag-digests.js";
import { locateTaggedImage } from "../../registry/image-location.js";
import { isMapping } from "../../util/is-mapping.js";
import type { DesiredStack, LiveStack } from "./model.js";
import { normaliseImage } from "./service-spec-values.js";

export interface TagComparison {
  /** `app:latest sha256:old → sha256:new`, one per image whose tag moved. */
  updated: string[];
  /** Why an image could not be checked (the registry's answer, or no answer). */
  problems: string[];
}

/** The tagged (not digest-pinned) images of the stack's services, as git names them. */
export function taggedImages(desired: DesiredStack): string[] {
  const services = isMapping(desired.document.services) ? desired.document.services : {};
  const images = Object.values(services).flatMap((service) =>
    isMapping(service) && typeof service.image === "string" ? [service.image] : [],
  );
  return [...new Set(images.filter((image) => locateTaggedImage(image) !== undefined))];
}

export function compareTags(
  desired: DesiredStack,
  live: LiveStack,
  lookups: ReadonlyMap<string, TagLookup>,
): TagComparison {
  const services = isMapping(desired.document.services) ? desired.document.services : {};
  const updated = new Set<string>();
  const problems = new Set<string>();
  for (const [service, definition] of Object.entries(services)) {
    const image = isMapping(definition) ? definition.image : undefined;
    if (typeof image !== "string") continue;
    const lookup = lookups.get(image);
    if (!lookup) continue;
    if ("error" in lookup) {
      problems.add(lookup.error);
      continue;
    }
    const running = live.services.find((candidate) => candidate.name === `${desired.name}_${service}`);
    // A service git adds is created by the deploy anyway; only running ones have a digest to compare.
    if (!running) continue;
    const recorded = recordedDigest(running.spec);
    if (recorded === lookup.digest) continue;
    updated.add(`${image} ${recorded ?? "(no digest recorded)"} → ${lookup.digest}`);
  }
  return { updated: [...updated], problems: [...problems] };
}

function recordedDigest(spec: Record<string, unknown>): string | undefined {
  const template = isMapping(spec.TaskTemplate) ? spec.TaskTemplate : {};
  const container = isMapping(template.ContainerSpec) ? template.ContainerSpec : {};
  return typeof container.Image === "string" ? normaliseImage(container.Image).digest : undefined;
}
