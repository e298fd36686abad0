/**
 * GitHub annotations, all through @actions/core (which escapes them). Failed entries become errors
 * and drifted ones warnings, pointing at the file and line of the workflow's checkout where croncd
 * knows them. One message is annotated once: a fatal error is both logged and reported as the run's
 * failed entry, and GitHub lists every annotation in the run's summary.
 */
import * as core from "@actions/core";
import type { ChangeSetEntry } from "../src/model/changeset.js";
import type { WorkflowCommands } from "../src/report/workflow-commands.js";

export interface AnnotationPosition {
  file?: string;
  startLine?: number;
}

/** Maps an entry's location to a path of the workflow's checkout, or says why it cannot. */
export type Locate = (entry: ChangeSetEntry) => AnnotationPosition & { elsewhere?: string };

export class Annotations {
  private readonly made = new Set<string>();

  error(message: string, properties: core.AnnotationProperties = {}): void {
    if (this.once("error", message, properties)) core.error(message, properties);
  }

  warning(message: string, properties: core.AnnotationProperties = {}): void {
    if (this.once("warning", message, properties)) core.warning(message, properties);
  }

  /** The log's commands: annotations through this class, groups and masks through core. */
  workflowCommands(): WorkflowCommands {
    return {
      error: (message) => this.error(message),
      warning: (message) => this.warning(message),
      startGroup: (title) => core.startGroup(title),
      endGroup: () => core.endGroup(),
      addMask: (value) => core.setSecret(value),
    };
  }

  /** An annotation with a file is never a repeat: it says more than the bare one before it. */
  private once(level: string, message: string, properties: core.AnnotationProperties): boolean {
    if (properties.file) return true;
    const key = `${level}\n${message}`;
    if (this.made.has(key)) return false;
    this.made.add(key);
    return true;
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
    const properties = { ...position, title: `${subject} ${isFailure ? "failed" : "changed by hand"}` };
    if (isFailure) annotations.error(body.join("\n"), properties);
    else annotations.warning(body.join("\n"), properties);
  }
}
