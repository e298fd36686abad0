// Small host-level helpers shared by the Swarm modules: finding programs, looking at processes and
// files, and turning errors into one readable line.
import { constants as fsConstants } from "node:fs";
import { access, readFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

// Extra places for dockerd and its helpers (containerd, runc, docker-init): a non-login root shell may
// lack the sbin directories on PATH.
export const SYSTEM_BIN_DIRS = [
  "/usr/local/sbin",
  "/usr/local/bin",
  "/usr/sbin",
  "/usr/bin",
  "/sbin",
  "/bin",
];

export function withSystemBinDirs(path: string | undefined): string {
  const dirs = (path ?? "").split(":").filter((dir) => dir !== "");
  for (const dir of SYSTEM_BIN_DIRS) if (!dirs.includes(dir)) dirs.push(dir);
  return dirs.join(":");
}

export async function findExecutable(name: string): Promise<string | undefined> {
  for (const dir of withSystemBinDirs(process.env.PATH).split(":")) {
    if (dir === "") continue;
    const candidate = join(dir, name);
    try {
      await access(candidate, fsConstants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

export async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

export async function readPid(file: string): Promise<number | undefined> {
  const text = await readFile(file, "utf8").catch(() => "");
  const pid = Number.parseInt(text.trim(), 10);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Sends `signal` to `pid`; a process that is already gone is not an error. */
export function signalProcess(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

/** Waits for `promise` at most `ms`; true if it settled in time. The timer is cleared either way. */
export async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  const controller = new AbortController();
  try {
    return await Promise.race([
      promise.then(
        () => true,
        () => true,
      ),
      sleep(ms, false, { signal: controller.signal }),
    ]);
  } finally {
    controller.abort();
  }
}

/** The most useful line of an error: a failed command's stderr, else the message. */
export function errorText(error: unknown): string {
  if (
    error &&
    typeof error === "object" &&
    "stderr" in error &&
    typeof error.stderr === "string" &&
    error.stderr
  ) {
    return error.stderr.trim();
  }
  return error instanceof Error ? error.message : String(error);
}
