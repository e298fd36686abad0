/**
 * The process port: every child process croncd starts goes through here, so tests can see and
 * the log can time every call, and so secrets given on stdin never appear in argv.
 */
import { execa } from "execa";

export interface ExecOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Written to the child's stdin (keeps secrets out of argv). */
  input?: string | Uint8Array;
  timeoutMs?: number;
}

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** True when the process could not be started at all (not installed, not on PATH). */
  notFound: boolean;
}

/** Runs a program and returns its result; never throws on a non-zero exit. */
export async function runProgram(
  file: string,
  args: readonly string[],
  options: ExecOptions = {},
): Promise<ExecResult> {
  const result = await execa(file, args, {
    env: options.env,
    extendEnv: true,
    cwd: options.cwd,
    input: options.input,
    timeout: options.timeoutMs,
    reject: false,
    stripFinalNewline: true,
  });
  return {
    // An empty stderr stays empty here: callers show their own words for a silent failure.
    ...describeExit(
      result,
      file,
      args[0] ?? "",
      options.timeoutMs,
      String(result.stderr ?? result.message ?? ""),
    ),
    stdout: String(result.stdout ?? ""),
  };
}

/** Exit code, and the words to show for it: the program's stderr, or why it never ran or was stopped. */
function describeExit(
  result: {
    failed: boolean;
    exitCode?: number;
    message?: string;
    timedOut: boolean;
    isCanceled: boolean;
  },
  file: string,
  label: string,
  timeoutMs: number | undefined,
  programWords: string,
): Omit<ExecResult, "stdout"> {
  const notFound = result.failed && result.exitCode === undefined && /ENOENT/.test(String(result.message));
  const stderr = notFound
    ? `${file}: not found on PATH`
    : result.timedOut
      ? `${file} ${label} did not finish within ${Math.round((timeoutMs ?? 0) / 1000)}s and was stopped`
      : result.isCanceled
        ? `${file} ${label} was stopped: its answer was no longer needed`
        : programWords;
  return { exitCode: result.exitCode ?? -1, stderr, notFound };
}

export interface StartedProgram {
  /** The child's stdin and stdout, for a conversation (a protocol spoken over pipes). */
  stdin: NodeJS.WritableStream;
  stdout: NodeJS.ReadableStream;
  /** Settles when the child has exited; stderr is what it printed, for error messages. */
  exited: Promise<Omit<ExecResult, "stdout">>;
  /** Ends the conversation: closes stdin and stops the child if it does not exit by itself. */
  stop(): void;
}

/** Starts a program to talk to over its pipes (runProgram is for programs that just run). */
export interface StartOptions extends Pick<ExecOptions, "env" | "timeoutMs"> {
  /** Stops the child when aborted (its answer is no longer wanted). */
  signal?: AbortSignal;
  /** What the child does, for messages: `system dial-stdio`. Default: the first argument. */
  label?: string;
}

export function startProgram(
  file: string,
  args: readonly string[],
  options: StartOptions = {},
): StartedProgram {
  const child = execa(file, args, {
    env: options.env,
    extendEnv: true,
    timeout: options.timeoutMs,
    reject: false,
    buffer: { stdout: false, stderr: true },
    stdin: "pipe",
    stdout: "pipe",
    stripFinalNewline: true,
    ...(options.signal ? { cancelSignal: options.signal } : {}),
  });
  const label = options.label ?? args[0] ?? "";
  const exited = child.then((result) =>
    describeExit(result, file, label, options.timeoutMs, String(result.stderr || result.message || "")),
  );
  return {
    stdin: child.stdin,
    stdout: child.stdout,
    exited,
    stop() {
      child.stdin.end();
      // A well-behaved child exits once its stdin is closed; one that does not is not waited for.
      setTimeout(() => child.kill(), 2_000).unref();
    },
  };
}
