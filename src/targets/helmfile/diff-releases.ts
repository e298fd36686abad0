/**
 * What `helmfile diff` says about each release. One diff of the whole target first: exit 0 means
 * nothing differs anywhere, and the usual answer costs one helmfile run. When something differs
 * (or failed) and the output does not hold a `Comparing release=…` block for every release — a
 * helmfile that logs that header to stderr, or stopped after a failing release — each release is
 * diffed on its own (`--selector name=N,namespace=NS`), so its exit code is its own verdict and an
 * error is always given to the right release.
 */
import type { ExecResult } from "../../ports/exec.js";
import { HEADER, parseDiffOutput, type DiffOutcome, type ReleaseDiff } from "./diff-output.js";
import { helmfileDiff, releaseSelector, type HelmfileInvocation } from "./helmfile-cli.js";
import type { DesiredRelease } from "./model.js";
import { helmErrorLine } from "./tools.js";

export async function diffReleases(
  call: HelmfileInvocation,
  releases: readonly DesiredRelease[],
  /** Every release git declares, rendered or not: a failed one's errors are its own, not unknown. */
  declared: readonly { name: string; namespace: string }[],
): Promise<DiffOutcome> {
  const whole = await helmfileDiff(call);
  // 3: the target's selectors matched no release.
  if (whole.exitCode === 3) return { releases: new Map() };
  if (whole.exitCode !== 0 && whole.exitCode !== 1 && whole.exitCode !== 2) {
    return { releases: new Map(), unattributedError: `helmfile diff failed: ${lastLines(whole)}` };
  }
  const parsed = parseDiffOutput(whole, declared);
  if (whole.exitCode === 0 || releases.every((release) => parsed.releases.has(release.name))) return parsed;

  const outcome: DiffOutcome = { releases: new Map() };
  for (const release of releases) {
    outcome.releases.set(release.name, judge(await helmfileDiff(call, [releaseSelector(release.release)])));
  }
  return outcome;
}

/** One release's diff: its exit code is the verdict; its output, without headers, the details. */
function judge(result: ExecResult): ReleaseDiff {
  const lines = result.stdout
    .split(/\r?\n/)
    .filter((line) => line.trim() !== "" && !HEADER.test(line.trim()));
  if (result.exitCode === 0 || result.exitCode === 3) return { lines, changed: false };
  if (result.exitCode === 2) return { lines, changed: true };
  return { lines, changed: false, error: helmErrorLine(result) };
}

function lastLines(result: ExecResult): string {
  return result.stderr.trim().split(/\r?\n/).slice(-3).join(" ") || `exit code ${result.exitCode}`;
}
