/**
 * Where the JSON report goes when the `report` input is empty: a fresh folder under RUNNER_TEMP,
 * kept after the step so a later `actions/upload-artifact` step can upload the path the `report`
 * output names (the runner empties RUNNER_TEMP when the job ends).
 */
import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

export async function defaultReportFile(env: NodeJS.ProcessEnv): Promise<string> {
  // Outside a runner (act, a local test) there may be no RUNNER_TEMP: the system's temp folder.
  const base = env.RUNNER_TEMP || os.tmpdir();
  const folder = await mkdtemp(path.join(base, "croncd-report-"));
  return path.join(folder, "report.json");
}
