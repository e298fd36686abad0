/** The run as a Markdown table: a GitHub job summary, or a merge-request note. */
import type { RunReport } from "./json-report.js";
import { renderAlertSection } from "./markdown-alerts.js";
import { cell } from "./markdown-cell.js";
import { renderDetailBlocks } from "./markdown-details.js";
import { suspendedItems } from "./suspended.js";

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

const VERDICTS: Record<number, string> = {
  0: "succeeded",
  1: "failed",
  2: "found changes to apply",
  3: "could not reach a source or target",
};

export function renderMarkdown(report: RunReport, options: MarkdownOptions = {}): string {
  const verdict = VERDICTS[report.exitCode] ?? "failed";
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
  const alerts = renderAlertSection(report);
  if (alerts.length > 0) lines.push("", ...alerts);
  const suspended = suspendedItems(report.entries);
  if (suspended.length > 0) {
    lines.push("", "⏸️ **Suspended** — croncd leaves these alone until `croncd resume`:", "");
    for (const item of suspended) lines.push(`- ${item}`);
  }
  if (options.details) {
    for (const block of renderDetailBlocks(report.entries)) lines.push("", block);
  }
  return `${lines.join("\n")}\n`;
}
