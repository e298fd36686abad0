/** Uninstalls one owned release with the real helm; "already gone" counts as done. */
import type { ExecResult } from "../../ports/exec.js";
import { helmErrorLine, type ToolRunner } from "./tools.js";

export interface UninstallOutcome {
  ok: boolean;
  /** helm's own error line when not ok; "already gone" when helm found no such release. */
  message?: string;
}

export async function uninstallRelease(
  runner: ToolRunner,
  release: { name: string; namespace: string },
  contextArgs: readonly string[],
  timeoutMs: number,
): Promise<UninstallOutcome> {
  const result: ExecResult = await runner.run(
    "helm",
    ["uninstall", release.name, "--namespace", release.namespace, ...contextArgs],
    { timeoutMs, label: "uninstall" },
  );
  if (result.exitCode === 0) return { ok: true };
  // Someone uninstalled it by hand: what croncd wanted is true, so the record can go.
  if (/release: not found/.test(result.stderr)) return { ok: true, message: "already gone" };
  return { ok: false, message: helmErrorLine(result) };
}
