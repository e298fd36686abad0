/**
 * A process named so that it cannot be mistaken for another: pid, start time and host. Pids are
 * reused, so "pid N is alive" says nothing about the croncd run that once had it; the start time
 * (Linux: /proc/PID/stat) tells them apart, and the host name keeps containers that share a temp
 * folder or a pid number from judging each other's processes.
 */
import { readFileSync } from "node:fs";
import os from "node:os";

export interface ProcessIdentity {
  pid: number;
  host: string;
  /** Start time in clock ticks since boot; null where /proc does not tell (macOS). */
  startTime: number | null;
}

export function currentProcess(): ProcessIdentity {
  return { pid: process.pid, host: os.hostname(), startTime: startTimeOf(process.pid) };
}

/** Whether this host can judge the process at all (it was started on this host). */
export function isLocal(identity: ProcessIdentity): boolean {
  return identity.host === os.hostname();
}

/** Whether the process still runs: its pid is taken, by a process that started when it did. */
export function isAlive(identity: ProcessIdentity): boolean {
  // An earlier run with the same pid (pids are reused) is not this one: the start time tells.
  if (identity.pid === process.pid) {
    return identity.startTime === null || identity.startTime === startTimeOf(process.pid);
  }
  try {
    process.kill(identity.pid, 0);
  } catch {
    // ESRCH: no such process. EPERM: another user's process has the pid now, so not ours.
    return false;
  }
  const startTime = startTimeOf(identity.pid);
  return identity.startTime === null || startTime === null || startTime === identity.startTime;
}

/** Field 22 of /proc/PID/stat; null without /proc. */
export function startTimeOf(pid: number): number | null {
  return statFields(pid)?.startTime ?? null;
}

/** The fields of /proc/PID/stat croncd uses, or undefined without /proc or such a process. */
export function statFields(pid: number): { processGroup: number; startTime: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) is in parentheses and may hold spaces: count after it.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const processGroup = Number(fields[2]);
    const startTime = Number(fields[19]);
    return Number.isFinite(processGroup) && Number.isFinite(startTime)
      ? { processGroup, startTime }
      : undefined;
  } catch {
    return undefined;
  }
}
