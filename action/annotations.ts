/**
 * GitHub annotations, all through @actions/core (which escapes them). Failed entries become errors
 * and drifted ones warnings, pointing at the file and line of the workflow's checkout where croncd
 * knows them.
 *
 * What the log says as an error or warning is printed in place and annotated at the end, unless
 * an entry of the report said it already: a fatal error is both logged and reported as the run's
 * failed entry, and only the entry knows its file and line.
 */
import * as core from "@actions/core";
import type { ChangeSetEntry } from "../src/model/changeset.js";
import type { WorkflowCommands } from "../src/report/workflow-commands.js";

export interface AnnotationPosition {
  file?: string;
  startLine?: number;
}

/** Maps an entry's location to a path of the workflow's checkout, or names a place it cannot link. */
export type Locate = (entry: ChangeSetEntry) => AnnotationPosition & { elsewhere?: string };

type Level = "error" | "warning";

export class Annotations {
  private readonly fromLog: { level: Level; message: string }[] = [];
  private readonly reported = new Set<string>();

  /** The log's commands: annotations wait for `annotateLog`, groups and masks go straight to core. */
  workflowCommands(): WorkflowCommands {
    const logged = (level: Level) => (message: string) => {
      core.info(`${level}: ${message}`);
      this.fromLog.push({ level, message });
    };
    return {
      error: logged("error"),
      warning: logged("warning"),
      startGroup: (title) => core.startGroup(title),
      endGroup: () => core.endGroup(),
      addMask: (value) => core.setSecret(value),
    };
  }

  /** One entry's annotation; `cause` is the text the log may have said about it already. */
  entry(level: Level, message: string, properties: core.AnnotationProperties, cause: string): void {
    this.reported.add(`${level}\n${cause}`);
    if (level === "error") core.error(message, properties);
    else core.warning(message, properties);
  }

  /** Annotates what the log said that no entry did: bad arguments, an unwritable report, render warnings. */
  annotateLog(): void {
    for (const { level, message } of this.fromLog.splice(0)) {
      if (this.reported.has(`${level}\n${message}`)) continue;
      this.reported.add(`${level}\n${message}`);
      if (level === "error") core.error(message);
      else core.warning(message);
    }
  }
}

export function annotateEntries(
  entries: readonly ChangeSetEntry[],
  annotations: Annotations,
  locate: Locate,
): void {
  for (const entry of entries) {
    const isFailure = entry.action === "failed";
    if (!isFailure && !entry.drift) continue;
    const { elsewhere, ...position } = locate(entry);
    const body = [entry.reason, ...(entry.details ?? [])];
    // The place still helps when GitHub cannot link it (another repository's file): say it in words.
    if (elsewhere) body.push(`at ${elsewhere}`);
    const subject =
      entry.target === "-" ? `croncd ${entry.name}` : `${entry.kind} ${entry.name} (target ${entry.target})`;
    const title = `${subject} ${isFailure ? "failed" : "changed by hand"}`;
    annotations.entry(isFailure ? "error" : "warning", body.join("\n"), { ...position, title }, entry.reason);
  }
}
