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

const HEADER = /^Comparing release=([^,\s]+), chart=([^,\s]*), namespace=([^,\s]*)\s*$/;
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

  // helmfile names the failing release in its error ("release web", `release "web"`); attribute
  // each error line to the releases it names, and anything else to nobody.
  const errors = result.stderr.split(/\r?\n/).filter((line) => /error|failed/i.test(line));
  let attributed = false;
  for (const release of releaseNames) {
    const mention = new RegExp(`release[= "]+${escape(release.name)}\\b`);
    const own = errors.filter((line) => mention.test(line));
    if (own.length === 0) continue;
    attributed = true;
    const key = releaseKey(release);
    const entry = releases.get(key) ?? { lines: [], changed: false };
    entry.error = own.map((line) => line.trim()).join("; ");
    releases.set(key, entry);
  }
  if (attributed) return { releases };
  const detail = errors.map((line) => line.trim()).join("; ") || result.stderr.trim() || "no message";
  return { releases, unattributedError: `helmfile diff failed: ${detail}` };
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
