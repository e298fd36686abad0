/**
 * The `croncd` command. Thin on purpose: arguments → configuration → run → report → exit code.
 */
import { parseArguments, type Arguments } from "./cli/arguments.js";
import { assertOutputPathsWritable } from "./cli/output-paths.js";
import { commentOnPlan } from "./cli/plan-comment.js";
import { USAGE } from "./cli/usage.js";
import { writeReportFiles, type ReportFiles } from "./cli/write-reports.js";
import { decryptCommand } from "./commands/decrypt.js";
import { pruneItem } from "./commands/prune-item.js";
import { suspendItem } from "./commands/suspend-item.js";
import { loadConfig } from "./config/load.js";
import { applyRefOverrides } from "./config/ref-overrides.js";
import { describeError, ExitCode, locationOf } from "./errors.js";
import { changeEntry, type ChangeSetEntry } from "./model/changeset.js";
import type { AlertOutcome } from "./pipeline/alert.js";
import { run } from "./pipeline/run.js";
import { renderJsonReport, type RunReport, type SourceSummary } from "./report/json-report.js";
import { createLogger, type Logger, type LoggerOptions } from "./report/logger.js";
import { suspendedReminder } from "./report/suspended.js";
import { summarize } from "./report/text.js";
import { VERSION } from "./version.js";

interface Outcome {
  exitCode: ExitCode;
  sources: SourceSummary[];
  entries: ChangeSetEntry[];
  alerts?: AlertOutcome;
}

/** `logOptions`: where the log goes and how it reaches the CI runner (the Action routes it through @actions/core). */
export async function main(
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
  logOptions: Omit<LoggerOptions, "env"> = {},
): Promise<number> {
  const log = createLogger({ ...logOptions, env });
  let args: Arguments;
  try {
    args = parseArguments(argv);
  } catch (error) {
    log.error(`${describeError(error)}\n\n${USAGE}`);
    return ExitCode.failed;
  }
  if (args.command === "help") {
    process.stdout.write(`${USAGE}\n`);
    return argv.length === 0 ? ExitCode.failed : ExitCode.ok;
  }
  if (args.command === "version") {
    process.stdout.write(`croncd ${VERSION}\n`);
    return ExitCode.ok;
  }
  if (args.command === "decrypt") {
    // Needs no croncd.yaml and writes no report: the plaintext on stdout is the whole result.
    try {
      await decryptCommand({
        file: args.file as string,
        env,
        out: process.stdout,
        ...(args.ignoreMac ? { ignoreMac: true } : {}),
        ...(args.inputType ? { format: args.inputType } : {}),
      });
      return ExitCode.ok;
    } catch (error) {
      log.error(describeError(error));
      return ExitCode.failed;
    }
  }

  try {
    // Before any side effect: a bad path found after deploying would lose that run's report.
    assertOutputPathsWritable({ ...reportFiles(args), ...(args.out ? { out: args.out } : {}) });
  } catch (error) {
    log.error(describeError(error));
    return ExitCode.failed;
  }

  const startedAt = new Date();
  let outcome: Outcome;
  try {
    outcome = await execute(args, env, log);
  } catch (error) {
    // Fatal before any stage could report (a broken croncd.yaml, an unknown --target...): the
    // report still says what happened, since CI keeps it as an artifact even on failure.
    log.error(describeError(error));
    const location = locationOf(error);
    const failure = changeEntry(
      { kind: "run", name: args.command, target: "-" },
      "failed",
      describeError(error),
      {
        ...(location ? { location } : {}),
      },
    );
    outcome = { exitCode: ExitCode.failed, sources: [], entries: [failure] };
  }
  const report: RunReport = {
    version: 1,
    command: args.command,
    dryRun: args.command === "plan" || (args.command === "prune" && args.dryRun),
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    exitCode: outcome.exitCode,
    sources: outcome.sources,
    entries: outcome.entries,
    ...alertFields(outcome.alerts),
  };
  // Before the reports are written, so a comment that could not be posted is in them as a warning.
  if (args.comment) {
    const warnings = await commentOnPlan(args, report, env, log);
    if (warnings.length > 0) report.warnings = warnings;
  }
  // Checked before the run, but the disk can still fill up or the folder go away meanwhile.
  const written = await writeReportFiles(reportFiles(args), report, log);
  const exitCode = written ? outcome.exitCode : ExitCode.failed;
  // plan --json: the same report for machines on stdout (the log stays on stderr).
  if (args.json) process.stdout.write(`${renderJsonReport(report, log.masker)}\n`);
  // Last, so the exit code printed is the one returned.
  const reminder = suspendedReminder(outcome.entries);
  log.info(
    `croncd ${args.command}: ${summarize({ entries: outcome.entries })} (exit ${exitCode})${reminder ? ` — ${reminder}` : ""}`,
  );
  return exitCode;
}

function reportFiles(args: Arguments): ReportFiles {
  return {
    ...(args.report ? { report: args.report } : {}),
    ...(args.junit ? { junit: args.junit } : {}),
    ...(args.dotenv ? { dotenv: args.dotenv } : {}),
  };
}

/** The report's alert fields: present on a reconcile with `alerts:`, even empty (a quiet run). */
function alertFields(alerts: AlertOutcome | undefined): Partial<RunReport> {
  if (!alerts) return {};
  return {
    events: alerts.events,
    deliveries: alerts.deliveries,
    issues: alerts.issues,
    ...(alerts.warnings.length > 0 ? { warnings: alerts.warnings } : {}),
  };
}

async function execute(args: Arguments, env: NodeJS.ProcessEnv, log: Logger): Promise<Outcome> {
  const loaded = await loadConfig(args.config);
  const config = applyRefOverrides(loaded.config, args.refs);
  if (args.command === "prune") {
    const [kind, name] = args.stack ? (["stack", args.stack] as const) : (["release", args.release] as const);
    const result = await pruneItem({
      config,
      kind,
      name: name as string,
      ...(args.namespace ? { namespace: args.namespace } : {}),
      dryRun: args.dryRun,
      log,
      env,
      ...(args.targets[0] ? { target: args.targets[0] } : {}),
    });
    return { ...result, sources: [] };
  }
  if (args.command === "suspend" || args.command === "resume") {
    const [kind, name] = args.stack ? (["stack", args.stack] as const) : (["release", args.release] as const);
    const result = await suspendItem({
      config,
      command: args.command,
      kind,
      name: name as string,
      env,
      log,
      ...(args.namespace ? { namespace: args.namespace } : {}),
      ...(args.reason ? { reason: args.reason } : {}),
      ...(args.targets[0] ? { target: args.targets[0] } : {}),
    });
    return { ...result, sources: [] };
  }
  return run({
    mode: args.command as "reconcile" | "plan" | "validate" | "render",
    config,
    configFile: loaded.file,
    log,
    env,
    targets: args.targets,
    heal: !args.noHeal,
    ...(args.out ? { outDir: args.out } : {}),
  });
}
