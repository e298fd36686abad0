/**
 * Syntax `docker stack deploy` still reads but warns about: `external: {name: x}` on networks,
 * volumes, configs and secrets. croncd hands docker a file without `version:` (the newest
 * format), so docker would print the warning for every such object, where nobody reads it.
 */
import { isMapping } from "../../util/is-mapping.js";

const SECTIONS = ["networks", "volumes", "configs", "secrets"] as const;

export function deprecatedSyntaxWarnings(document: Record<string, unknown>): string[] {
  return SECTIONS.flatMap((section) => {
    const entries = document[section];
    if (!isMapping(entries)) return [];
    return Object.entries(entries).flatMap(([key, entry]) => {
      const external = isMapping(entry) ? entry.external : undefined;
      if (!isMapping(external) || typeof external.name !== "string") return [];
      return [
        `${section}.${key}: external.name is deprecated in docker stack deploy: write name: ${external.name} and external: true`,
      ];
    });
  });
}
