/**
 * The process port: every child process croncd starts goes through here, so tests can see and
 * the log can time every call, and so secrets given on stdin never appear in argv.
 *
 * Each child leads its own process group (see process-groups.ts), and "stop" always means the
 * whole group: a timeout, a cancelled call and a finished leader leave nothing behind that could
 * hold the output pipes open and keep croncd from exiting.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { PARENT_VARIABLE, parentMark } from "./orphaned-children.js";
import { forgetGroup, killGroup, trackGroup } from "./process-groups.js";

export interface ExecOptions {
  env?: Record<string, string | undefined>;
  /** Give the child only `env`, not croncd's own environment as well (git: nothing unchosen leaks in). */
  replaceEnv?: boolean;
  cwd?: string;
  /** Written to the child's stdin (keeps secrets out of argv). */
  input?: string | Uint8Array;
  /** Stops the child when it has not finished after this long. */
  timeoutMs?: number;
  /** Stops the child when it has printed nothing (stdout or stderr) for this long: it is stuck. */
  stallTimeoutMs?: number;
  /** Stops the child when aborted (its answer is no longer wanted). */
  signal?: AbortSignal;
  /** What the child does, for messages: `stack deploy`. Default: the first argument. */
  label?: string;
}

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** True when the process could not be started at all (not installed, not on PATH). */
  notFound: boolean;
  /** Why croncd stopped the child, when it did: it ran too long, went silent, or was no longer needed. */
  stoppedBecause?: StopReason;
}

export type StopReason = "timeout" | "stalled" | "cancelled";

/** How long a child stopped with SIGTERM gets to clean up before SIGKILL. */
const TERMINATE_GRACE_MS = 2_000;
/** How long the output pipes may stay open after the child exited (held by something unkillable). */
const PIPE_GRACE_MS = 1_000;

/** Runs a program and returns its result; never throws on a non-zero exit. */
export async function runProgram(
  file: string,
  args: readonly string[],
  options: ExecOptions = {},
): Promise<ExecResult> {
  const started = startChild(file, args, options);
  const stdout = collect(started.child.stdout);
  if (options.input !== undefined) {
    // A child that exits without reading its input closes the pipe: that is its answer, not ours to report.
    started.child.stdin?.on("error", () => undefined);
    started.child.stdin?.end(options.input);
  }
  const ended = await started.ended;
  const label = options.label ?? args[0] ?? "";
  return { ...describeEnd(ended, file, label, options), stdout: stripFinalNewline(stdout()) };
}

/**
 * Runs a program and blocks until it ends: only for the process's `exit` listeners (SIGTERM,
 * SIGINT), where nothing can be awaited — e.g. releasing a lock on the way out. Never throws.
 */
export function runProgramSync(
  file: string,
  args: readonly string[],
  options: Pick<ExecOptions, "env" | "timeoutMs"> & { input?: string } = {},
): Pick<ExecResult, "exitCode" | "stdout" | "stderr"> {
  const result = spawnSync(file, args, {
    env: cleanEnv({ ...process.env, ...options.env }),
    ...(options.input !== undefined ? { input: options.input } : {}),
    ...(options.timeoutMs ? { timeout: options.timeoutMs } : {}),
    encoding: "utf8",
    stdio: "pipe",
  });
  return {
    exitCode: result.status ?? -1,
    stdout: result.stdout ?? "",
    stderr: result.error ? result.error.message : (result.stderr ?? ""),
  };
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
export type StartOptions = Pick<ExecOptions, "env" | "timeoutMs" | "signal" | "label">;

export function startProgram(
  file: string,
  args: readonly string[],
  options: StartOptions = {},
): StartedProgram {
  const started = startChild(file, args, options);
  const stdin = started.child.stdin as NodeJS.WritableStream;
  const label = options.label ?? args[0] ?? "";
  const exited = started.ended.then((ended) => describeEnd(ended, file, label, options));
  return {
    stdin,
    stdout: started.child.stdout as NodeJS.ReadableStream,
    exited,
    stop() {
      stdin.end();
      // A well-behaved child exits once its stdin is closed; one that does not is not waited for.
      setTimeout(() => started.stop("cancelled"), TERMINATE_GRACE_MS).unref();
    },
  };
}

interface Ended {
  exitCode: number | undefined;
  signal: NodeJS.Signals | undefined;
  stderr: string;
  /** The spawn error (ENOENT...) when the child never ran. */
  spawnError?: NodeJS.ErrnoException;
  stoppedBecause?: StopReason;
}

interface StartedChild {
  child: ChildProcess;
  /** Settles once the child has exited and its pipes are closed (or given up on). */
  ended: Promise<Ended>;
  stop(reason: StopReason): void;
}

function startChild(file: string, args: readonly string[], options: ExecOptions): StartedChild {
  const env = options.replaceEnv ? cleanEnv(options.env) : cleanEnv({ ...process.env, ...options.env });
  // Who started it: if croncd is killed outright, the next run can find and end it.
  env[PARENT_VARIABLE] = parentMark();
  const child = spawn(file, args, {
    env,
    ...(options.cwd ? { cwd: options.cwd } : {}),
    stdio: "pipe",
    detached: true,
  });
  const pid = child.pid;
  if (pid !== undefined) trackGroup(pid);
  const stderr = collect(child.stderr);
  let stoppedBecause: StopReason | undefined;
  // The SIGKILL timer survives the leader's exit on purpose: its group may outlive it.
  const timers: NodeJS.Timeout[] = [];
  const stop = (reason: StopReason) => {
    if (pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
    stoppedBecause ??= reason;
    killGroup(pid, "SIGTERM");
    setTimeout(() => killGroup(pid, "SIGKILL"), TERMINATE_GRACE_MS).unref();
  };
  if (options.timeoutMs !== undefined) timers.push(setTimeout(() => stop("timeout"), options.timeoutMs));
  if (options.stallTimeoutMs !== undefined) {
    const stallMs = options.stallTimeoutMs;
    const stall = setTimeout(() => stop("stalled"), stallMs);
    timers.push(stall);
    // Any output is progress (git fetch --progress prints it while data arrives).
    child.stdout?.on("data", () => stall.refresh());
    child.stderr?.on("data", () => stall.refresh());
  }
  const onAbort = () => stop("cancelled");
  if (options.signal?.aborted) queueMicrotask(onAbort);
  else options.signal?.addEventListener("abort", onAbort, { once: true });

  const ended = new Promise<Ended>((resolve) => {
    child.once("error", (error) => {
      // Never started (ENOENT, EACCES): no exit event follows.
      if (child.pid === undefined) finish({ exitCode: undefined, signal: undefined, spawnError: error });
    });
    child.once("exit", (code, signal) => {
      // Whatever the leader left behind in its group is not wanted any more, and may hold the pipes.
      if (pid !== undefined) killGroup(pid, "SIGKILL");
      const fallback = setTimeout(() => {
        child.stdout?.destroy();
        child.stderr?.destroy();
      }, PIPE_GRACE_MS);
      void waitForPipes(child).then(() => {
        clearTimeout(fallback);
        finish({ exitCode: code ?? undefined, signal: signal ?? undefined });
      });
    });
    let finished = false;
    function finish(result: Omit<Ended, "stderr" | "stoppedBecause">) {
      if (finished) return;
      finished = true;
      for (const timer of timers) clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
      if (pid !== undefined) forgetGroup(pid);
      resolve({
        ...result,
        stderr: stripFinalNewline(stderr()),
        ...(stoppedBecause ? { stoppedBecause } : {}),
      });
    }
  });
  return { child, ended, stop };
}

/** Exit code, and the words to show for it: the program's stderr, or why it never ran or was stopped. */
function describeEnd(
  ended: Ended,
  file: string,
  label: string,
  options: Pick<ExecOptions, "timeoutMs" | "stallTimeoutMs">,
): Omit<ExecResult, "stdout"> {
  const notFound = ended.spawnError?.code === "ENOENT";
  const what = `${file} ${label}`.trim();
  const seconds = (ms: number | undefined) => `${Number(((ms ?? 0) / 1000).toFixed(1))}s`;
  const stderr = notFound
    ? `${file}: not found on PATH`
    : ended.spawnError
      ? `${file} could not be started: ${ended.spawnError.message}`
      : ended.stoppedBecause === "timeout"
        ? `${what} did not finish within ${seconds(options.timeoutMs)} and was stopped`
        : ended.stoppedBecause === "stalled"
          ? `${what} received nothing for ${seconds(options.stallTimeoutMs)} and was stopped`
          : ended.stoppedBecause === "cancelled"
            ? `${what} was stopped: its answer was no longer needed`
            : ended.stderr;
  return {
    exitCode: ended.exitCode ?? -1,
    stderr,
    notFound,
    ...(ended.stoppedBecause ? { stoppedBecause: ended.stoppedBecause } : {}),
  };
}

/** Buffers a stream; the returned function gives everything read so far as text. */
function collect(stream: NodeJS.ReadableStream | null | undefined): () => string {
  const chunks: Buffer[] = [];
  stream?.on("data", (chunk: Buffer) => chunks.push(chunk));
  stream?.on("error", () => undefined);
  return () => Buffer.concat(chunks).toString("utf8");
}

function waitForPipes(child: ChildProcess): Promise<void> {
  const closed = (stream: NodeJS.ReadableStream | null) =>
    !stream || (stream as { destroyed?: boolean }).destroyed
      ? Promise.resolve()
      : new Promise<void>((resolve) => stream.once("close", () => resolve()));
  return Promise.all([closed(child.stdout), closed(child.stderr)]).then(() => undefined);
}

function cleanEnv(env: Record<string, string | undefined> | undefined): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env ?? {}).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}

function stripFinalNewline(text: string): string {
  return text.replace(/\r?\n$/, "");
}
