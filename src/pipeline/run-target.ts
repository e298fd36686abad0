/**
 * Drives one target through the fixed stage order: render → plan → apply → prune. Stops at a
 * stage boundary when a stage cannot give the next one what it needs; otherwise keeps going
 * across independent stacks.
 */
import type { TargetConfig } from "../config/schema.js";
import { describeError } from "../errors.js";
import type { ChangeSetEntry } from "../model/changeset.js";
import type { Logger } from "../report/logger.js";
import { formatEntry } from "../report/text.js";
import { plannedEntry } from "../targets/planned-entry.js";
import { createSwarmTarget } from "../targets/swarm/index.js";
import type { DesiredStack } from "../targets/swarm/model.js";
import type { RunMode } from "./commands.js";
import type { PulledSource } from "./pull.js";
import { writeRenderedStacks } from "./write-rendered.js";

export interface TargetRunRequest {
  mode: RunMode;
  config: TargetConfig;
  source: PulledSource;
  /** Set when any source failed: the desired state as a whole is incomplete. */
  anySourceFailed?: string;
  env: NodeJS.ProcessEnv;
  log: Logger;
  outDir?: string;
}

export async function runTarget(request: TargetRunRequest): Promise<ChangeSetEntry[]> {
  const { config, source, log, mode } = request;
  const targetEntry = (reason: string): ChangeSetEntry => ({
    kind: "target",
    name: config.name,
    target: config.name,
    action: "failed",
    reason,
  });
  const report = (entries: ChangeSetEntry[]) => {
    for (const entry of entries) log.info(formatEntry(entry, mode));
    return entries;
  };
  if (!source.dir || !source.commit) {
    return report([targetEntry(`nothing done: ${describeError(source.error)}`)]);
  }
  const target = createSwarmTarget({
    config,
    checkout: { dir: source.dir, url: source.url, commit: source.commit },
    env: request.env,
  });

  let rendered;
  try {
    rendered = await target.render();
  } catch (error) {
    return report([targetEntry(describeError(error))]);
  }
  for (const stack of rendered.items) {
    for (const warning of stack.warnings) log.warn(`[${config.name}] stack ${stack.name}: ${warning}`);
  }
  if (mode === "validate" || mode === "render") {
    if (mode === "render" && request.outDir)
      await writeRenderedStacks(request.outDir, config.name, rendered.items, log);
    return report([
      ...rendered.items.map((stack) => offlineEntry(stack, config.name, mode)),
      ...rendered.failures,
    ]);
  }

  const incompleteBecause =
    request.anySourceFailed ??
    (rendered.failures.length > 0 ? `${rendered.failures.length} stack(s) failed to render` : undefined);
  let plan;
  try {
    plan = await target.plan(rendered, incompleteBecause ? { incompleteBecause } : {});
  } catch (error) {
    return report([...rendered.failures, targetEntry(describeError(error))]);
  }
  if (mode === "plan") {
    const entries = plan.items.map((item) =>
      plannedEntry((name, fields) => ({ kind: "stack", name, target: config.name, ...fields }), item),
    );
    return report([...rendered.failures, ...entries]);
  }
  report(rendered.failures);
  const applied = report(await target.apply(plan));
  const pruned = report(await target.prune(plan));
  return [...rendered.failures, ...applied, ...pruned];
}

function offlineEntry(stack: DesiredStack, target: string, mode: RunMode): ChangeSetEntry {
  return {
    kind: "stack",
    name: stack.name,
    target,
    action: "skipped",
    reason: mode === "render" ? `rendered ${stack.composeFile}` : `valid: ${stack.composeFile}`,
  };
}
