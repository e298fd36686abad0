/** The run as a Markdown table: a GitHub job summary, or a merge-request note. */
import type { RunReport } from "./json-report.js";
import { renderDetailBlocks } from "./markdown-details.js";

export interface MarkdownOptions {
  /** Append each item's details (the diff of a plan) in collapsed `<details>` blocks. */
  details?: boolean;
}

const ICONS: Record<string, string> = {
  created: "🆕",
  configured: "🔄",
  deleted: "🗑️",
  unchanged: "✅",
  skipped: "⏭️",
  failed: "❌",
};

export function renderMarkdown(report: RunReport, options: MarkdownOptions = {}): string {
  const verdict =
    report.exitCode === 0 ? "succeeded" : report.exitCode === 2 ? "found changes to apply" : "failed";
  const lines = [`### croncd ${report.command} ${verdict}`, ""];
  if (report.sources.length > 0) {
    lines.push("| source | ref | commit |", "|---|---|---|");
    for (const source of report.sources) {
      lines.push(
        `| ${cell(source.name)} | ${cell(source.ref)} | ${cell(source.error ?? source.commit?.slice(0, 12) ?? "")} |`,
      );
    }
    lines.push("");
  }
  const planned = report.dryRun ? " (planned)" : "";
  lines.push(`| target | kind | name | action${planned} | reason |`, "|---|---|---|---|---|");
  for (const entry of report.entries) {
    const icon = ICONS[entry.action] ?? "";
    lines.push(
      `| ${cell(entry.target)} | ${cell(entry.kind)} | ${cell(entry.name)} | ${icon} ${entry.action} | ${cell(entry.reason)} |`,
    );
  }
  if (report.entries.length === 0) lines.push("| | | | nothing to do | |");
  if (options.details) {
    for (const block of renderDetailBlocks(report.entries)) lines.push("", block);
  }
  return `${lines.join("\n")}\n`;
}

/** Table cells must not break the table: escape pipes, fold newlines. */
function cell(text: string): string {
  return text.replaceAll("|", "\\|").replaceAll("\n", " ");
}
