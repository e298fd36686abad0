/**
 * The three programs the Helmfile target runs, all through the process port (process groups,
 * timeouts). Each call returns the raw result; callers decide what an exit code means.
 */
import { runProgram, runProgramSync, type ExecResult } from "../../ports/exec.js";
import type { KubeAccess } from "./kube-access.js";

export interface HelmfileTools {
  helmfile: string;
  helm: string;
  kubectl: string;
}

export const DEFAULT_TOOLS: HelmfileTools = { helmfile: "helmfile", helm: "helm", kubectl: "kubectl" };

export interface ToolRunner {
  run(
    tool: keyof HelmfileTools,
    args: readonly string[],
    options: {
      timeoutMs: number;
      /** The verb, for messages: `helmfile apply did not finish within 320s`. */
      label: string;
      cwd?: string;
      input?: string;
      env?: Record<string, string>;
    },
  ): Promise<ExecResult>;
  /** The same, blocking until the program ends: only for `exit` listeners (see runProgramSync). */
  runSync(
    tool: keyof HelmfileTools,
    args: readonly string[],
    options: { timeoutMs: number; input?: string },
  ): Pick<ExecResult, "exitCode" | "stdout" | "stderr">;
}

export function createToolRunner(tools: HelmfileTools, access: KubeAccess): ToolRunner {
  return {
    run(tool, args, options) {
      return runProgram(tools[tool], args, {
        env: { ...access.env, ...options.env },
        timeoutMs: options.timeoutMs,
        label: options.label,
        ...(options.cwd ? { cwd: options.cwd } : {}),
        ...(options.input !== undefined ? { input: options.input } : {}),
      });
    },
    runSync(tool, args, options) {
      return runProgramSync(tools[tool], args, { env: access.env, ...options });
    },
  };
}

/** helm's own error line from its output (`Error: UPGRADE FAILED: …`), else the last line said. */
export function helmErrorLine(result: Pick<ExecResult, "stdout" | "stderr">): string {
  const lines = `${result.stderr}\n${result.stdout}`
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== "");
  const error = lines.find((line) => /^Error: /.test(line)) ?? lines.find((line) => /\bError: /.test(line));
  if (error) return error.slice(error.indexOf("Error: "));
  return lines.at(-1) ?? "no output";
}

/**
 * The cluster's API could not be reached (kubectl's and helm's words for a refused, unresolvable or
 * silent server, or croncd stopped the call): the target is away, not wrong.
 */
export function clusterUnreachable(result: Pick<ExecResult, "stderr" | "stoppedBecause">): boolean {
  if (result.stoppedBecause === "timeout") return true;
  return /Kubernetes cluster unreachable|Unable to connect to the server|The connection to the server .* was refused|no such host|i\/o timeout|connection refused/i.test(
    result.stderr,
  );
}
