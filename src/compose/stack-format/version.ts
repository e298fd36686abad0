/**
 * The `version:` line, read as docker's stack loader reads it: absent, empty or "3" mean the
 * newest 3.x format; "3.0" to "3.13" pick that format; anything else (version 2 and 1 files,
 * which are for docker compose, or a number instead of a string) is refused.
 */
import type { SchemaIssue } from "../schema.js";

/** The newest Compose file format docker stack deploy reads: 3.13. */
export const NEWEST_MINOR = 13;

export interface DeclaredVersion {
  /** The 3.x minor version the file is checked against. */
  minor: number;
  /** The version as written, for messages; undefined when the file declares none. */
  declared?: string;
  issue?: SchemaIssue;
}

const REMOVE_OR_SET = 'remove the version: line (the newest format is used) or set version: "3.13"';

export function declaredVersion(document: Record<string, unknown>): DeclaredVersion {
  const raw = document.version;
  if (raw === undefined) return { minor: NEWEST_MINOR };
  if (typeof raw !== "string") {
    return {
      minor: NEWEST_MINOR,
      issue: {
        path: ["version"],
        message: `must be a string: quote it (version: "${typeof raw === "number" ? raw : "3.13"}") or remove the version: line`,
      },
    };
  }
  if (raw === "" || raw === "3") return { minor: NEWEST_MINOR, declared: raw };
  const minor = /^3\.(0|[1-9]\d?)$/.exec(raw)?.[1];
  if (minor !== undefined && Number(minor) <= NEWEST_MINOR) return { minor: Number(minor), declared: raw };
  const legacy = /^[12](\.|$)/.test(raw);
  return {
    minor: NEWEST_MINOR,
    declared: raw,
    issue: {
      path: ["version"],
      message: legacy
        ? `Compose file format "${raw}" is for docker compose; docker stack deploy reads format 3 only: ${REMOVE_OR_SET}, then fix what the format 3 rules report (resource limits move under deploy.resources)`
        : `unsupported Compose file format "${raw}": docker stack deploy reads 3.0 to 3.${NEWEST_MINOR}; ${REMOVE_OR_SET}`,
    },
  };
}
