/**
 * Splits `helmfile diff` output into releases: each block starts with helmfile's documented
 * `Comparing release=NAME, chart=CHART, namespace=NS` line. The exit code says whether anything
 * differs at all (0 none, 2 changes, 1 error — wins over 2 —, 3 selector matched nothing); the
 * blocks say which release differs and how.
 */
import { releaseKey } from "./model.js";

export interface ReleaseDiff {
  /** helm-diff's lines for this release (secrets already suppressed by --suppress-secrets). */
  lines: string[];
  changed: boolean;
  /** helm's error for this release, when its diff failed. */
  error?: string;
}

export interface DiffOutcome {
  /** By `namespace/name`. */
  releases: Map<string, ReleaseDiff>;
  /** An error helmfile reported that names no release: nothing can be trusted then. */
  unattributedError?: string;
}

export const HEADER = /^Comparing release=([^,\s]+), chart=([^,\s]*), namespace=([^,\s]*)\s*$/;
/** Lines helm-diff prints for a changed object: `ns, name, Kind (group) has changed:` and friends. */
const CHANGE_LINE = /has (changed|been added|been removed):$|^[+-] /;

export function parseDiffOutput(
  result: { exitCode: number; stdout: string; stderr: string },
  releaseNames: readonly { name: string; namespace: string }[],
): DiffOutcome {
  const releases = new Map<string, ReleaseDiff>();
  let current: ReleaseDiff | undefined;
  for (const line of result.stdout.split(/\r?\n/)) {
    const header = HEADER.exec(line.trim());
    if (header) {
      current = { lines: [], changed: false };
      releases.set(releaseKey({ name: header[1] as string, namespace: header[3] as string }), current);
      continue;
    }
    if (!current || line.trim() === "") continue;
    current.lines.push(line);
    if (CHANGE_LINE.test(line.trim())) current.changed = true;
  }
  if (result.exitCode !== 1) return { releases };

  // helmfile names the failing release in its error (`failed processing release web: …`); what
  // follows, up to the next release named, is that release's (helm's own `Error: …` line in it).
  const segments = segmentByRelease(result.stderr, releaseNames);
  for (const [key, lines] of segments) {
    const entry = releases.get(key) ?? { lines: [], changed: false };
    entry.error =
      lines.find((line) => /\bError: /.test(line))?.replace(/^.*?\bError: /, "Error: ") ?? lines[0] ?? "";
    releases.set(key, entry);
  }
  if (segments.size > 0) return { releases };
  const detail = result.stderr.trim().split(/\r?\n/).filter(Boolean).slice(-3).join(" ") || "no message";
  return { releases, unattributedError: `helmfile diff failed: ${detail}` };
}

function segmentByRelease(
  stderr: string,
  releaseNames: readonly { name: string; namespace: string }[],
): Map<string, string[]> {
  const mentions = releaseNames.map((release) => ({
    key: releaseKey(release),
    pattern: new RegExp(`release[= "]+${escape(release.name)}(?![\\w.-])`),
  }));
  const segments = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const raw of stderr.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === "") continue;
    const mention = mentions.find((candidate) => candidate.pattern.test(line));
    if (mention) {
      current = segments.get(mention.key) ?? [];
      segments.set(mention.key, current);
    }
    current?.push(line);
  }
  return segments;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
