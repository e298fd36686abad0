/**
 * What would change, item by item, as collapsed `<details>` blocks under the Markdown table: the
 * table stays scannable, and a reviewer opens the diff of the stack they care about.
 */
import type { ChangeSetEntry } from "../model/changeset.js";

/** One `<details>` block per entry that has details; an empty list when none has. */
export function renderDetailBlocks(entries: readonly ChangeSetEntry[]): string[] {
  return entries.filter((entry) => (entry.details ?? []).length > 0).map(detailBlock);
}

function detailBlock(entry: ChangeSetEntry): string {
  const lines = entry.details ?? [];
  const fence = fenceFor(lines);
  const summary = `${entry.kind} ${entry.name} (target ${entry.target}): ${entry.action}`;
  // The blank line after <summary> is what makes GitLab and GitHub render Markdown inside.
  return [
    "<details>",
    `<summary>${escapeHtml(summary)}</summary>`,
    "",
    fence,
    ...lines,
    fence,
    "",
    "</details>",
  ].join("\n");
}

/** A code fence longer than any run of backticks in the content, so the content cannot close it. */
function fenceFor(lines: readonly string[]): string {
  const longest = Math.max(
    0,
    ...lines.map((line) => Math.max(0, ...[...line.matchAll(/`+/g)].map((m) => m[0].length))),
  );
  return "`".repeat(Math.max(3, longest + 1));
}

function escapeHtml(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}
