/**
 * The text of the plan comment: the hidden marker, the plan as Markdown (the same table as the job
 * summary) with each item's diff collapsed, and a footer saying what was planned and where. Fitted
 * to the platform's size limit, dropping the diffs first and then rows, and saying so.
 */
import type { RunReport } from "../report/json-report.js";
import { renderMarkdown } from "../report/markdown.js";
import { renderDetailBlocks } from "../report/markdown-details.js";

export interface CommentBodyInput {
  /** Already masked. */
  report: RunReport;
  marker: string;
  configPath: string;
  /** Empty: every target. */
  targets: readonly string[];
  /** The commit that was planned, when CI says. */
  commit?: string;
  /** The CI job, where the whole log is. */
  jobUrl?: string;
  maxLength: number;
}

export function renderCommentBody(input: CommentBodyInput): string {
  const table = renderMarkdown(input.report).trimEnd();
  const details = renderDetailBlocks(input.report.entries);
  const footer = renderFooter(input);
  const compose = (middle: string[]) => [input.marker, table, ...middle, footer].join("\n\n");

  const whole = compose(details);
  if (whole.length <= input.maxLength) return whole;
  const withoutDetails = compose([truncationNotice(input, "the per-item details are left out")]);
  if (withoutDetails.length <= input.maxLength) return withoutDetails;
  return cutTable(input, table, footer);
}

/** Keeps as many of the table's first lines as fit, and says how many were left out. */
function cutTable(input: CommentBodyInput, table: string, footer: string): string {
  const lines = table.split("\n");
  const bodyKeeping = (kept: number) => {
    const notice = truncationNotice(
      input,
      `${lines.length - kept} more table lines and the details are left out`,
    );
    return [input.marker, lines.slice(0, kept).join("\n"), notice, footer].join("\n\n");
  };
  // The body grows with every line kept: binary search for the most that fit.
  let fits = 0;
  let tooMany = lines.length;
  while (tooMany - fits > 1) {
    const middle = Math.floor((fits + tooMany) / 2);
    if (bodyKeeping(middle).length <= input.maxLength) fits = middle;
    else tooMany = middle;
  }
  if (fits > 0) return bodyKeeping(fits);
  // A limit too small for even one line: the marker must survive, or the next push posts again.
  return input.marker;
}

function truncationNotice(input: CommentBodyInput, what: string): string {
  const where = input.jobUrl ? `[the job log](${input.jobUrl})` : "the job log";
  return `> **Truncated:** the plan is longer than a comment may be (${input.maxLength} characters): ${what}. The whole plan is in ${where}.`;
}

function renderFooter(input: CommentBodyInput): string {
  const parts = [
    `config \`${input.configPath}\``,
    input.targets.length === 0 ? "all targets" : `targets ${input.targets.map((t) => `\`${t}\``).join(", ")}`,
  ];
  if (input.commit) parts.push(`commit ${input.commit.slice(0, 12)}`);
  if (input.jobUrl) parts.push(`[job](${input.jobUrl})`);
  return `<sub>croncd plan · ${parts.join(" · ")} · this comment is updated on every push</sub>`;
}
