/**
 * The text of croncd's issue and of its comments. Nothing here changes between two runs that see
 * the same failures at the same commit (no time, no duration, no run number), so an unchanged
 * failure never edits the issue. Bodies are fitted to the platform's size limit; the marker, which
 * holds the alert state, always survives whole.
 */
import { cell, codeCell } from "../../report/markdown-cell.js";
import { type FailureChanges } from "./changes.js";
import { formatMarker, type MarkedFailure } from "./marker.js";
import type { TargetFailure } from "./types.js";

export interface IssueContext {
  target: string;
  commit?: { sha: string; url?: string };
  jobUrl?: string;
  /** The platform's limit on a body, in characters. */
  maxLength: number;
}

/** One cause may be long (a stack trace); the table stays readable, the job log has the rest. */
const MAX_CAUSE_LENGTH = 1_000;

export const issueTitle = (target: string) => `croncd: target ${target} is failing`;

export function failingBody(
  context: IssueContext,
  failures: readonly TargetFailure[],
  marked: MarkedFailure[],
) {
  const count = failures.length === 1 ? "1 failure" : `${failures.length} failures`;
  const head = [
    formatMarker({ target: context.target, failures: marked }),
    `### ❌ croncd: target \`${context.target}\` is failing`,
    "",
    `croncd sees ${count} on this target. It comments here when the failures change and closes this issue when everything has recovered. Do not edit the first line of this description: it is how croncd finds this issue.`,
  ].join("\n");
  return fitTable(head, failureRows(failures), footer(context), context);
}

export function recoveredBody(context: IssueContext): string {
  return [
    formatMarker({ target: context.target, failures: [] }),
    `### ✅ croncd: target \`${context.target}\` has recovered`,
    "",
    "Every failure croncd reported here is gone; a new failure opens a new issue.",
    "",
    footer(context),
  ].join("\n");
}

export function changeComment(context: IssueContext, changes: FailureChanges): string {
  const rows = [
    ...changes.started.map((failure) => row("🆕 failing", failure)),
    ...changes.changed.map((failure) => row("🔁 fails differently", failure)),
    ...changes.recovered.map((key) => `| ✅ recovered | ${describeItemKey(key)} | |`),
  ];
  const still =
    changes.unchangedCount === 0
      ? ""
      : ` ${changes.unchangedCount} other item${changes.unchangedCount === 1 ? "" : "s"} still fail${changes.unchangedCount === 1 ? "s" : ""} as before.`;
  const head = `The failures of target \`${context.target}\` changed.${still}`;
  return fitTable(head, rows, footer(context), context, "| change | item | cause |\n|---|---|---|");
}

export function recoveryComment(context: IssueContext): string {
  return [`✅ Every failure of target \`${context.target}\` has recovered; closing.`, footer(context)]
    .filter((part) => part !== "")
    .join("\n\n");
}

function failureRows(failures: readonly TargetFailure[]): string[] {
  return [...failures]
    .sort((a, b) => itemOrder(a.item).localeCompare(itemOrder(b.item)))
    .map((failure) => `| ${describeItem(failure.item)} | ${causeCell(failure.cause)} |`);
}

function row(change: string, failure: TargetFailure): string {
  return `| ${change} | ${describeItem(failure.item)} | ${causeCell(failure.cause)} |`;
}

/** The whole target first, then items by kind and name. */
function itemOrder(item: { kind: string; name: string } | undefined): string {
  return item ? `1 ${item.kind} ${item.name}` : "0";
}

function describeItem(item: { kind: string; name: string } | undefined): string {
  return item ? `${cell(item.kind)} \`${codeCell(item.name)}\`` : "the whole target";
}

/** The marker's `kind/name` (URI-encoded), or `-` for the whole target. */
function describeItemKey(key: string): string {
  const slash = key.indexOf("/");
  if (slash < 0) return describeItem(undefined);
  return describeItem({
    kind: decodeURIComponent(key.slice(0, slash)),
    name: decodeURIComponent(key.slice(slash + 1)),
  });
}

function footer(context: IssueContext): string {
  const parts: string[] = [];
  if (context.commit) {
    const short = `\`${context.commit.sha.slice(0, 12)}\``;
    parts.push(`commit ${context.commit.url ? `[${short}](${context.commit.url})` : short}`);
  }
  if (context.jobUrl) parts.push(`[CI job](${context.jobUrl})`);
  return parts.length === 0 ? "" : `<sub>seen by croncd at ${parts.join(" · ")}</sub>`;
}

/** As many rows as fit, and how many were left out; the head (with the marker) is always kept. */
function fitTable(
  head: string,
  rows: readonly string[],
  foot: string,
  context: IssueContext,
  header = "| item | cause |\n|---|---|",
): string {
  const compose = (kept: number) => {
    const left = rows.length - kept;
    const notice = left === 0 ? "" : `\n\n${left} more row${left === 1 ? "" : "s"} left out: see the CI job.`;
    const table = rows.length === 0 ? "" : `\n\n${header}\n${rows.slice(0, kept).join("\n")}${notice}`;
    return `${head}${table}${foot === "" ? "" : `\n\n${foot}`}`;
  };
  let kept = rows.length;
  while (kept > 0 && compose(kept).length > context.maxLength) kept -= 1;
  return compose(kept);
}

/**
 * A cause as code: stable causes hold placeholders such as `<id>` that Markdown would take for
 * HTML tags and hide, and a cause may hold `@name` or `#12`, which would notify people or link
 * issues. The fence is longer than any run of backticks inside.
 */
function causeCell(cause: string): string {
  const text = shorten(cause.replace(/\r?\n/g, " ").trim());
  if (text === "") return "";
  const longestRun = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(longestRun + 1);
  const pad = text.startsWith("`") || text.endsWith("`") ? " " : "";
  return codeCell(`${fence}${pad}${text}${pad}${fence}`);
}

function shorten(text: string): string {
  return text.length <= MAX_CAUSE_LENGTH ? text : `${text.slice(0, MAX_CAUSE_LENGTH - 1)}…`;
}
