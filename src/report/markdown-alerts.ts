/**
 * The alert part of the job summary: what changed state this run (the events notifiers were sent),
 * and where it went — a notifier that failed and the issue tracker's doing, per target. Nothing
 * when the run had no `alerts:` block; one line when it had nothing to say.
 */
import type { RunReport } from "./json-report.js";
import { cell } from "./markdown-cell.js";

export function renderAlertSection(report: RunReport): string[] {
  if (!report.events) return [];
  const lines = ["#### Alerts", ""];
  if (report.events.length === 0) {
    lines.push("No change of alert state: nothing was sent.");
  } else {
    lines.push("| event | severity | target | item | cause |", "|---|---|---|---|---|");
    for (const event of report.events) {
      const item = event.item ? `${event.item.kind} ${event.item.name}` : "";
      lines.push(
        `| ${event.kind} | ${event.severity} | ${cell(event.target)} | ${cell(item)} | ${cell(event.cause ?? "")} |`,
      );
    }
  }
  const failed = (report.deliveries ?? []).filter((delivery) => !delivery.ok);
  const issues = (report.issues ?? []).filter((issue) => issue.action !== "none" || issue.error);
  if (failed.length > 0 || issues.length > 0) lines.push("");
  for (const delivery of failed) {
    lines.push(`- ⚠️ notifier ${cell(delivery.notifier)}: not delivered: ${cell(delivery.error ?? "")}`);
  }
  for (const issue of issues) {
    const link = issue.url ? ` (${issue.url})` : "";
    const error = issue.error ? `: ⚠️ ${cell(issue.error)}` : "";
    lines.push(`- issue of target ${cell(issue.target)}: ${issue.action}${link}${error}`);
  }
  return lines;
}
