/**
 * The GitHub Action: action inputs → croncd's command line → outputs and job summary. It runs the
 * same code as the CLI, in-process.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import * as core from "@actions/core";
import { main } from "../src/cli.js";
import type { RunReport } from "../src/report/json-report.js";
import { renderMarkdown } from "../src/report/markdown.js";

async function runAction(): Promise<void> {
  const command = core.getInput("command") || "reconcile";
  const scratch = await mkdtemp(path.join(os.tmpdir(), "croncd-action-"));
  const report = core.getInput("report") || path.join(scratch, "report.json");
  const args = [command, "--config", core.getInput("config") || "croncd.yaml", "--report", report];
  for (const target of core.getMultilineInput("targets")) args.push("--target", target);
  for (const ref of core.getMultilineInput("refs")) args.push("--ref", ref);
  if (core.getInput("stack")) args.push("--stack", core.getInput("stack"));
  if (core.getBooleanInput("dry-run")) args.push("--dry-run");
  if (core.getInput("out")) args.push("--out", core.getInput("out"));

  const exitCode = await main(args, { ...process.env, GITHUB_ACTIONS: "true" });
  core.setOutput("exit-code", String(exitCode));
  core.setOutput("changes", String(exitCode === 2));
  core.setOutput("report", report);
  const parsed = await readFile(report, "utf8")
    .then((text) => JSON.parse(text) as RunReport)
    .catch(() => undefined);
  // core.summary throws without GITHUB_STEP_SUMMARY (e.g. under act): the summary is optional.
  if (parsed && process.env.GITHUB_STEP_SUMMARY) await core.summary.addRaw(renderMarkdown(parsed)).write();
  if (!core.getInput("report")) await rm(scratch, { recursive: true, force: true });

  const failOnChanges = core.getBooleanInput("fail-on-changes");
  if (exitCode === 1) core.setFailed(`croncd ${command} failed; see the log above`);
  else if (exitCode === 2 && failOnChanges) core.setFailed(`croncd ${command} found pending changes`);
}

await runAction();
