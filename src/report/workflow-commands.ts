/**
 * The GitHub Actions workflow commands croncd's log uses: annotations, groups and masks. The
 * runner reads them from the job's output; their text must be escaped, or a message with a newline
 * or a `%` arrives cut short or changed.
 *
 * The Action sends them through @actions/core (action/core-commands.ts). The CLI cannot: core
 * writes to stdout, which the CLI keeps for `plan --json`, so it writes them to its log stream here.
 */
import type { Writable } from "node:stream";

export interface WorkflowCommands {
  error(message: string): void;
  warning(message: string): void;
  startGroup(title: string): void;
  endGroup(): void;
  /** Tells the runner to hide `value` in everything the job prints from now on. */
  addMask(value: string): void;
}

/** Workflow commands written as lines to `stream` (the CLI's log, stderr by default). */
export function streamWorkflowCommands(stream: Writable): WorkflowCommands {
  const command = (name: string, message: string) =>
    stream.write(`::${name}::${escapeCommandData(message)}\n`);
  return {
    error: (message) => command("error", message),
    warning: (message) => command("warning", message),
    startGroup: (title) => command("group", title),
    endGroup: () => command("endgroup", ""),
    addMask: (value) => command("add-mask", value),
  };
}

/** The runner decodes %25, %0D and %0A in a command's message: encode them, `%` first. */
export function escapeCommandData(text: string): string {
  return text.replaceAll("%", "%25").replaceAll("\r", "%0D").replaceAll("\n", "%0A");
}
