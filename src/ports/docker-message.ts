/**
 * The part of a failed docker call's output worth showing. `docker stack deploy` interleaves its
 * progress ("Creating network web_default", "Updating service web_app (id: ...)") and notices
 * ("Since --detach=false was not specified, ...") with the error that made it fail; a person
 * reading croncd's error needs the error alone.
 */
import type { ExecResult } from "./exec.js";

/** Lines docker prints while things go well: progress and notices, never the reason for a failure. */
const NOTICES: readonly RegExp[] = [
  /^Since --detach=false was not specified, tasks will be (created|updated|removed) in the background\.?$/,
  /^In a future release, --detach=false will become the default\.?$/,
  /^(Creating|Updating|Removing) (network|service|secret|config) \S+( \(id: \w+\))?$/,
  /^Ignoring (unsupported|deprecated) options: /,
  /^image \S+ could not be accessed on a registry to record\s*$/,
  /^its digest\. Each node will access \S+ independently,\s*$/,
  /^possibly leading to different nodes running different\s*$/,
  /^versions of the image\.\s*$/,
  /^WARNING: /,
];

/** docker's own error lines of a failed call: stderr (or stdout) without progress and notices. */
export function dockerMessage(result: Pick<ExecResult, "stderr" | "stdout" | "exitCode">): string {
  const text = (result.stderr || result.stdout).trim();
  const kept = text
    .split(/\r?\n/)
    .map((line) => line.trimEnd())
    .filter((line) => line.trim() !== "" && !NOTICES.some((notice) => notice.test(line.trim())));
  // Only notices: they are all there is to show (better than nothing).
  if (kept.length > 0) return kept.join("\n");
  return text || `exit code ${result.exitCode}`;
}

/**
 * The object a create lost a race for, when docker says another one of that name appeared between
 * croncd's read and its create (a second run, or a person, at the same time).
 */
export function raceLostOn(message: string): string | undefined {
  const patterns = [
    /failed to create (\w+) (\S+?):.*(?:name conflicts with an existing object|already exists)/i,
    /(network) with name (\S+) already exists/i,
    /desc = (\w+) (\S+) already exists/i,
    /name conflicts with an existing object: (\w+) (\S+?)(?: already exists|$)/i,
  ];
  for (const pattern of patterns) {
    const match = pattern.exec(message);
    if (match) return `${match[1]?.toLowerCase()} ${match[2]}`;
  }
  return /name conflicts with an existing object|already exists/i.test(message) ? "an object" : undefined;
}
