/**
 * The hidden first line of croncd's issue: which target it is about, and the failures it shows
 * (item and fingerprint). It is how croncd finds its issue again (with the label), and the alert
 * state the next run compares with — so croncd's own state in the target may be lost without a
 * second issue or a repeated comment.
 *
 * `<!-- croncd:issue target=prod failures=stack/web:1a2b3c4d5e6f7a8b,-:0f1e2d3c4b5a6978 -->`
 * Names are URI-encoded, so no name can end the HTML comment or break the list.
 */

/** One failure as the marker keeps it: `item` is `kind/name`, or `-` for the whole target. */
export interface MarkedFailure {
  item: string;
  fingerprint: string;
}

export interface IssueMarker {
  target: string;
  failures: MarkedFailure[];
}

const PATTERN = /^<!-- croncd:issue target=(\S+) failures=(\S*) -->$/;
const WHOLE_TARGET = "-";

/** The key a failure's item is compared by between runs. */
export function itemKey(item: { kind: string; name: string } | undefined): string {
  return item ? `${encodeURIComponent(item.kind)}/${encodeURIComponent(item.name)}` : WHOLE_TARGET;
}

export function formatMarker(marker: IssueMarker): string {
  const failures = sortFailures(marker.failures)
    .map((failure) => `${failure.item}:${encodeURIComponent(failure.fingerprint)}`)
    .join(",");
  return `<!-- croncd:issue target=${encodeURIComponent(marker.target)} failures=${failures} -->`;
}

/**
 * The marker of an issue body, when its whole first line is one. A person quoting croncd's issue
 * elsewhere, or another tool's text, does not match.
 */
export function parseMarker(body: string): IssueMarker | undefined {
  const firstLine = (body.split("\n", 1)[0] ?? "").trimEnd();
  const match = PATTERN.exec(firstLine);
  if (!match) return undefined;
  try {
    const failures = (match[2] as string)
      .split(",")
      .filter((part) => part !== "")
      .map((part) => {
        const colon = part.lastIndexOf(":");
        if (colon <= 0) throw new Error(`malformed failure ${part}`);
        return { item: part.slice(0, colon), fingerprint: decodeURIComponent(part.slice(colon + 1)) };
      });
    return { target: decodeURIComponent(match[1] as string), failures };
  } catch {
    return undefined;
  }
}

/** Equal sets of failures: the issue needs no comment. */
export function sameFailures(a: readonly MarkedFailure[], b: readonly MarkedFailure[]): boolean {
  const key = (failures: readonly MarkedFailure[]) =>
    sortFailures(failures)
      .map((failure) => `${failure.item}:${failure.fingerprint}`)
      .join(",");
  return key(a) === key(b);
}

function sortFailures(failures: readonly MarkedFailure[]): MarkedFailure[] {
  const text = (failure: MarkedFailure) => `${failure.item}:${failure.fingerprint}`;
  return [...new Map(failures.map((failure) => [text(failure), failure])).values()].sort((a, b) =>
    text(a) < text(b) ? -1 : text(a) > text(b) ? 1 : 0,
  );
}
