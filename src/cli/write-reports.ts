/**
 * Writes the report files a command was asked for (`--report`, `--junit`, `--dotenv`) once the
 * run is over. Their paths were checked before the run (output-paths.ts); one that still cannot
 * be written (a full disk, a folder removed meanwhile) is logged and fails the run, and the
 * others are written all the same.
 */
import { writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { describeError } from "../errors.js";
import { renderDotenvReport } from "../report/dotenv.js";
import { renderJsonReport, type RunReport } from "../report/json-report.js";
import { renderJunitReport } from "../report/junit.js";
import type { Logger } from "../report/logger.js";

export interface ReportFiles {
  report?: string;
  junit?: string;
  dotenv?: string;
}

/** Returns false when any file could not be written (each failure is logged). */
export async function writeReportFiles(files: ReportFiles, report: RunReport, log: Logger): Promise<boolean> {
  const renderers: Record<keyof ReportFiles, () => string> = {
    report: () => `${renderJsonReport(report, log.masker)}\n`,
    junit: () => renderJunitReport(report, log.masker, { hostname: hostname() }),
    dotenv: () => renderDotenvReport(report.entries, report.exitCode),
  };
  let allWritten = true;
  for (const option of Object.keys(renderers) as (keyof ReportFiles)[]) {
    const file = files[option];
    if (file === undefined) continue;
    try {
      // 0600: a report names stacks, targets and causes, which the job's other users need not read.
      await writeFile(file, renderers[option](), { mode: 0o600 });
    } catch (error) {
      log.error(`--${option} ${file}: the report could not be written: ${describeError(error)}`);
      allWritten = false;
    }
  }
  return allWritten;
}
