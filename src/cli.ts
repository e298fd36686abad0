/**
 * The `croncd` command. Thin on purpose: arguments → configuration → run → report → exit code.
 */
import { parseArgs } from "node:util";
import { pruneStack } from "./commands/prune-stack.js";
import { DEFAULT_CONFIG_FILE, loadConfig } from "./config/load.js";
import { applyRefOverrides } from "./config/ref-overrides.js";
import { ConfigError, describeError, ExitCode } from "./errors.js";
import type { RunMode } from "./pipeline/commands.js";
import { run } from "./pipeline/run.js";
import { writeJsonReport, type RunReport } from "./report/json-report.js";
import { createLogger, type Logger } from "./report/logger.js";
import { summarize } from "./report/text.js";
import { VERSION } from "./version.js";

const USAGE = `Usage: croncd <command> [options]

Commands:
  reconcile            make every target match git: deploy what changed, prune what left
  plan                 show what reconcile would do; exit 2 when something would change
  validate             check the configuration and render every stack (no Docker daemon needed)
  render --out DIR     write the compose files croncd would deploy (secrets masked)
  prune --stack NAME   remove one stack croncd owns (--dry-run shows what it would do)
  version              print the version

Options:
  --config FILE        configuration file (default ${DEFAULT_CONFIG_FILE})
  --target NAME        only this target (repeatable)
  --report FILE        write the run as JSON
  --ref SOURCE=REF     use this branch, tag or commit for a source (repeatable)
  --out DIR            render: where to write
  --stack NAME         prune: the stack to remove
  --dry-run            prune: change nothing
  -h, --help           this text

Exit codes: 0 all good, 1 something failed, 2 changes pending (plan).`;

const RUN_MODES: readonly string[] = ["reconcile", "plan", "validate", "render"];

export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const log = createLogger({ env });
  let args;
  try {
    args = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        config: { type: "string", default: DEFAULT_CONFIG_FILE },
        target: { type: "string", multiple: true },
        ref: { type: "string", multiple: true },
        report: { type: "string" },
        out: { type: "string" },
        stack: { type: "string" },
        "dry-run": { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (error) {
    log.error(`${describeError(error)}\n\n${USAGE}`);
    return ExitCode.failed;
  }
  const [command, ...extra] = args.positionals;
  if (args.values.help || !command || command === "help") {
    process.stdout.write(`${USAGE}\n`);
    return command || args.values.help ? ExitCode.ok : ExitCode.failed;
  }
  if (command === "version") {
    process.stdout.write(`croncd ${VERSION}\n`);
    return ExitCode.ok;
  }
  const startedAt = new Date();
  try {
    if (extra.length > 0) throw new ConfigError(`unexpected argument "${extra[0]}"`, { subject: command });
    const loaded = await loadConfig(args.values.config);
    const config = applyRefOverrides(loaded.config, args.values.ref ?? []);
    const file = loaded.file;
    let outcome;
    if (command === "prune") {
      if (!args.values.stack)
        throw new ConfigError("say which stack with --stack NAME", { subject: "prune" });
      outcome = await pruneStack({
        config,
        stack: args.values.stack,
        dryRun: args.values["dry-run"],
        log,
        ...(args.values.target?.[0] ? { target: args.values.target[0] } : {}),
      });
      outcome = { ...outcome, sources: [] };
    } else if (RUN_MODES.includes(command)) {
      if (command === "render" && !args.values.out)
        throw new ConfigError("say where with --out DIR", { subject: "render" });
      outcome = await run({
        mode: command as RunMode,
        config,
        configFile: file,
        log,
        env,
        ...(args.values.target ? { targets: args.values.target } : {}),
        ...(args.values.out ? { outDir: args.values.out } : {}),
      });
    } else {
      throw new ConfigError(`unknown command "${command}"; run croncd --help`);
    }
    log.info(`croncd ${command}: ${summarize({ entries: outcome.entries })} (exit ${outcome.exitCode})`);
    if (args.values.report) {
      const report: RunReport = {
        version: 1,
        command: command as RunReport["command"],
        dryRun: command === "plan" || args.values["dry-run"],
        startedAt: startedAt.toISOString(),
        finishedAt: new Date().toISOString(),
        exitCode: outcome.exitCode,
        sources: outcome.sources,
        entries: outcome.entries,
      };
      await writeJsonReport(args.values.report, report, log.masker);
    }
    return outcome.exitCode;
  } catch (error) {
    reportFatal(log, error);
    return ExitCode.failed;
  }
}

function reportFatal(log: Logger, error: unknown): void {
  log.error(describeError(error));
}
