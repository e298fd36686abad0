/**
 * The GitHub Action: action inputs → croncd's command line → outputs, annotations and job summary.
 * It runs the same code as the CLI, in-process.
 */
import { readFile } from "node:fs/promises";
import * as core from "@actions/core";
import { main } from "../src/cli.js";
import type { RunReport } from "../src/report/json-report.js";
import { renderMarkdown } from "../src/report/markdown.js";
import { annotateEntries, Annotations } from "./annotations.js";
import { buildCommandLine, COMMENT_TOKEN_ENV } from "./command-line.js";
import { readInputs } from "./inputs.js";
import { entryLocator, workflowCheckout } from "./locate-entries.js";
import { setOutputs } from "./outputs.js";
import { defaultReportFile } from "./report-file.js";

async function runAction(): Promise<void> {
  const inputs = readInputs();
  const report = inputs.report || (await defaultReportFile(process.env));
  const commandLine = buildCommandLine(inputs, report);
  const token = commandLine.env[COMMENT_TOKEN_ENV];
  if (token) core.setSecret(token);

  const annotations = new Annotations();
  // The log goes to stdout, where @actions/core writes its commands, so groups and annotations
  // stay in order with the lines around them.
  const exitCode = await main(
    commandLine.args,
    { ...process.env, ...commandLine.env, GITHUB_ACTIONS: "true" },
    { stream: process.stdout, workflowCommands: annotations.workflowCommands() },
  );
  const parsed = await readFile(report, "utf8")
    .then((text) => JSON.parse(text) as RunReport)
    .catch(() => undefined);
  setOutputs(exitCode, report, parsed);
  if (parsed) {
    annotateEntries(
      parsed.entries,
      annotations,
      await entryLocator(inputs.config, workflowCheckout(process.env)),
    );
    // core.summary throws without GITHUB_STEP_SUMMARY (e.g. under act): the summary is optional.
    if (process.env.GITHUB_STEP_SUMMARY) await core.summary.addRaw(renderMarkdown(parsed)).write();
  }
  annotations.annotateLog();

  if (exitCode === 1)
    core.setFailed(`croncd ${inputs.command} failed; see the annotations and the log above`);
  // Unavailable is not failed, but the job must not look green while nothing could be checked.
  else if (exitCode === 3)
    core.setFailed(`croncd ${inputs.command} could not reach a source or target; see the log above`);
  else if (exitCode === 2 && inputs.failOnChanges)
    core.setFailed(`croncd ${inputs.command} found pending changes`);
}

await runAction().catch((error: unknown) => {
  // Bad inputs (comment without plan...): one clear failure, nothing run.
  core.setOutput("exit-code", "1");
  core.setFailed(error instanceof Error ? error.message : String(error));
});
