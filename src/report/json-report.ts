/** `--report FILE`: the run as JSON, for machines and CI artifacts. */
import { writeFile } from "node:fs/promises";
import type { ChangeSetEntry } from "../model/changeset.js";
import type { RunMode } from "../pipeline/commands.js";
import type { SecretMasker } from "./mask.js";

export interface SourceSummary {
  name: string;
  url: string;
  ref: string;
  commit?: string;
  error?: string;
  durationMs: number;
}

export interface RunReport {
  version: 1;
  command: RunMode | "prune";
  /** For plan: entries say what would happen, not what happened. */
  dryRun: boolean;
  startedAt: string;
  finishedAt: string;
  exitCode: number;
  sources: SourceSummary[];
  entries: ChangeSetEntry[];
}

export async function writeJsonReport(file: string, report: RunReport, masker: SecretMasker): Promise<void> {
  await writeFile(file, `${masker.mask(JSON.stringify(report, null, 2))}\n`, { mode: 0o600 });
}
