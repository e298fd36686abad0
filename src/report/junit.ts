/**
 * `--junit FILE`: the run as JUnit XML, the format GitLab's `artifacts:reports:junit` shows in a
 * merge request and a pipeline's Tests tab. It follows the Apache Ant schema
 * (test/fixtures/junit/JUnit.xsd), the strictest of the JUnit dialects, so every reader accepts it.
 *
 * - one `<testsuite>` per target (in the order the run reported them), one `<testcase>` per entry:
 *   classname = the target, name = `kind name` (`stack web`, `release api`, `target prod`…);
 * - `failed` → `<failure type="failed">`, with the cause (and where it sits) as the text;
 * - drift that did not fail → `<failure type="drift">` with the field-by-field differences: someone
 *   changed production outside git, which must show red even when croncd healed it (the exit code
 *   2, not the report, says whether the job fails);
 * - `skipped` → `<skipped>`, except for validate and render, where every item that rendered is
 *   reported `skipped` with "valid": there it is a passing test case;
 * - everything else passes. The suite's `system-out` lists every entry with its reason, its
 *   `system-err` the run's warnings.
 *
 * Pure: report in, string out. Masked value by value before any escaping, like the JSON report:
 * escaping first would hide a secret holding `&` or `"` from the masker.
 */
import type { ChangeSetEntry } from "../model/changeset.js";
import type { RunReport } from "./json-report.js";
import type { SecretMasker } from "./mask.js";
import { escapeXmlText, xmlAttributes } from "./xml.js";

export interface JunitOptions {
  /** The `hostname` attribute the schema requires; "localhost" when unknown, as the schema asks. */
  hostname?: string;
}

/**
 * The failure types a reader can filter on. Fixed words on purpose: GitLab reads the file with
 * Rails' `Hash.from_xml`, which treats a `type` attribute as a type cast (`yaml` and `symbol` make
 * it refuse the whole file, `integer` or `file` change the value).
 */
export const JUNIT_FAILURE_TYPES = { failed: "failed", drift: "drift" } as const;

type Verdict =
  | { kind: "passed" }
  | { kind: "skipped"; message: string }
  | { kind: "failure"; type: string; message: string; text: string };

export function renderJunitReport(
  report: RunReport,
  masker: SecretMasker,
  options: JunitOptions = {},
): string {
  const masked = masker.maskValues(report) as RunReport;
  const hostname = masker.mask(options.hostname || "localhost");
  const suites = groupByTarget(masked.entries).map(([target, entries], id) =>
    renderSuite({ report: masked, target, entries, id, hostname }),
  );
  const body = suites.length === 0 ? "<testsuites/>" : `<testsuites>\n${suites.join("")}</testsuites>`;
  return `<?xml version="1.0" encoding="UTF-8"?>\n${body}\n`;
}

/** Entries per target, targets in the order they first appear. */
function groupByTarget(entries: readonly ChangeSetEntry[]): [string, ChangeSetEntry[]][] {
  const groups = new Map<string, ChangeSetEntry[]>();
  for (const entry of entries) {
    const group = groups.get(entry.target) ?? [];
    group.push(entry);
    groups.set(entry.target, group);
  }
  return [...groups];
}

interface SuiteInput {
  report: RunReport;
  target: string;
  entries: ChangeSetEntry[];
  id: number;
  hostname: string;
}

function renderSuite({ report, target, entries, id, hostname }: SuiteInput): string {
  const verdicts = entries.map((entry) => verdictOf(entry, report.command));
  const totalMs = entries.reduce((sum, entry) => sum + (entry.durationMs ?? 0), 0);
  const attributes = xmlAttributes([
    ["name", target],
    ["package", target],
    ["id", id],
    // The schema's dateTime pattern has no fraction and no zone; the run's start is in UTC.
    ["timestamp", report.startedAt.slice(0, 19)],
    ["hostname", hostname],
    ["tests", entries.length],
    ["failures", verdicts.filter((verdict) => verdict.kind === "failure").length],
    // croncd's errors are its findings (a broken file, a failed rollout): all reported as failures.
    ["errors", 0],
    ["skipped", verdicts.filter((verdict) => verdict.kind === "skipped").length],
    ["time", seconds(totalMs)],
  ]);
  const properties = [
    ["croncd.command", report.command],
    ["croncd.dryRun", String(report.dryRun)],
    ["croncd.exitCode", String(report.exitCode)],
  ]
    .map(
      ([name, value]) =>
        `      <property${xmlAttributes([
          ["name", name as string],
          ["value", value as string],
        ])}/>\n`,
    )
    .join("");
  const cases = entries.map((entry, index) => renderCase(entry, verdicts[index] as Verdict)).join("");
  const out = entries
    .map((entry) => `${entry.kind} ${entry.name}: ${entry.action} — ${entry.reason}\n`)
    .join("");
  return (
    `  <testsuite${attributes}>\n` +
    `    <properties>\n${properties}    </properties>\n` +
    cases +
    `    <system-out>${escapeXmlText(out)}</system-out>\n` +
    systemErr(report.warnings ?? []) +
    `  </testsuite>\n`
  );
}

/** The run's warnings (a plan comment that could not be posted…), in every suite: they are the run's. */
function systemErr(warnings: readonly string[]): string {
  if (warnings.length === 0) return "    <system-err/>\n";
  const text = warnings.map((warning) => `warning: ${warning}\n`).join("");
  return `    <system-err>${escapeXmlText(text)}</system-err>\n`;
}

function renderCase(entry: ChangeSetEntry, verdict: Verdict): string {
  const attributes = xmlAttributes([
    ["classname", entry.target],
    ["name", `${entry.kind} ${entry.name}`],
    ["time", seconds(entry.durationMs ?? 0)],
  ]);
  switch (verdict.kind) {
    case "passed":
      return `    <testcase${attributes}/>\n`;
    case "skipped":
      // The reason is also the element's text: GitLab shows a skipped case's text, not its attributes.
      return (
        `    <testcase${attributes}>\n` +
        `      <skipped${xmlAttributes([["message", verdict.message]])}>${escapeXmlText(verdict.message)}</skipped>\n` +
        `    </testcase>\n`
      );
    case "failure": {
      const failure = xmlAttributes([
        ["message", verdict.message],
        ["type", verdict.type],
      ]);
      return (
        `    <testcase${attributes}>\n` +
        `      <failure${failure}>${escapeXmlText(verdict.text)}</failure>\n` +
        `    </testcase>\n`
      );
    }
  }
}

function verdictOf(entry: ChangeSetEntry, command: RunReport["command"]): Verdict {
  if (entry.action === "failed") {
    return {
      kind: "failure",
      type: JUNIT_FAILURE_TYPES.failed,
      message: firstLine(entry.reason),
      text: causeText(entry),
    };
  }
  if (entry.drift) {
    return {
      kind: "failure",
      type: JUNIT_FAILURE_TYPES.drift,
      // The reason already says "drifted from git: … changed by hand".
      message: firstLine(entry.reason),
      text: causeText(entry),
    };
  }
  if (entry.action === "skipped" && command !== "validate" && command !== "render") {
    return { kind: "skipped", message: entry.reason };
  }
  return { kind: "passed" };
}

/** The whole reason, where its cause sits, then the differences line by line. */
function causeText(entry: ChangeSetEntry): string {
  const lines = [entry.reason];
  if (entry.location) {
    const line = entry.location.line === undefined ? "" : `:${entry.location.line}`;
    lines.push(`at ${entry.location.file}${line}`);
  }
  for (const detail of entry.details ?? []) lines.push(`  ${detail}`);
  return lines.join("\n");
}

function firstLine(text: string): string {
  return text.split("\n", 1)[0] ?? "";
}

/** Seconds with millisecond precision, as the schema's `xs:decimal`. */
function seconds(ms: number): string {
  return (Math.max(0, ms) / 1000).toFixed(3);
}
