/**
 * `--dotenv FILE`: the run's counts as `KEY=value` lines, the format GitLab's
 * `artifacts:reports:dotenv` turns into variables of later jobs (a notification job, a
 * follow-up deploy that waits for `CRONCD_FAILED == "0"`).
 */
import type { ChangeSetEntry } from "../model/changeset.js";
import { countEntries } from "./counts.js";

/** Every key the file holds, always all of them (a later job can rely on each being set). */
export const DOTENV_KEYS = [
  "CRONCD_EXIT_CODE",
  "CRONCD_CREATED",
  "CRONCD_CONFIGURED",
  "CRONCD_UNCHANGED",
  "CRONCD_DELETED",
  "CRONCD_SKIPPED",
  "CRONCD_FAILED",
  "CRONCD_DRIFTED",
] as const;
export type DotenvKey = (typeof DOTENV_KEYS)[number];

/** Plain integers only: nothing taken from a source reaches the file, so nothing needs masking or quoting. */
export function dotenvValues(
  entries: readonly ChangeSetEntry[],
  exitCode: number,
): Record<DotenvKey, number> {
  const counts = countEntries(entries);
  return {
    CRONCD_EXIT_CODE: exitCode,
    CRONCD_CREATED: counts.created,
    CRONCD_CONFIGURED: counts.configured,
    CRONCD_UNCHANGED: counts.unchanged,
    CRONCD_DELETED: counts.deleted,
    CRONCD_SKIPPED: counts.skipped,
    CRONCD_FAILED: counts.failed,
    CRONCD_DRIFTED: counts.drifted,
  };
}

export function renderDotenvReport(entries: readonly ChangeSetEntry[], exitCode: number): string {
  const values = dotenvValues(entries, exitCode);
  return DOTENV_KEYS.map((key) => `${key}=${values[key]}\n`).join("");
}
