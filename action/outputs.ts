/** The step's outputs: the exit code, where the report is, and how many entries of each kind it holds. */
import * as core from "@actions/core";
import type { RunReport } from "../src/report/json-report.js";
import { countEntries } from "../src/report/counts.js";

export function setOutputs(exitCode: number, reportFile: string, report: RunReport | undefined): void {
  core.setOutput("exit-code", String(exitCode));
  core.setOutput("changes", String(exitCode === 2));
  core.setOutput("report", reportFile);
  // No report (croncd stopped before writing one, e.g. bad inputs): zero counts, so later steps
  // comparing numbers still get numbers.
  const counts = countEntries(report?.entries ?? []);
  for (const [name, count] of Object.entries(counts)) core.setOutput(name, String(count));
}
