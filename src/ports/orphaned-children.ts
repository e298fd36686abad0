/**
 * Children a killed croncd left running. SIGKILL or the OOM killer end croncd without its exit
 * listeners, and its children lead their own process groups, so nothing stops them: a docker CLI
 * talking to a hung daemon would wait forever. Every child croncd starts carries its parent's
 * identity in the environment (PARENT_VARIABLE); a later run that finds a killed run's workspace
 * ends that run's children too.
 *
 * Only processes that are provably such children are touched: this user's, carrying the variable
 * croncd sets with the identity (pid, start time, host) of a run known to be gone, and leading
 * their own group (the child croncd started, not something it started). Linux only (/proc).
 */
import { readdirSync, readFileSync } from "node:fs";
import { killGroup } from "./process-groups.js";
import {
  currentProcess,
  isAlive,
  isLocal,
  statFields,
  type ProcessIdentity,
} from "../util/process-identity.js";

export const PARENT_VARIABLE = "CRONCD_PARENT";

let mark: string | undefined;

/** This process as its children carry it: `pid:startTime:host`. */
export function parentMark(): string {
  if (mark === undefined) {
    const self = currentProcess();
    mark = `${self.pid}:${self.startTime ?? "-"}:${self.host}`;
  }
  return mark;
}

export interface OrphanedChild {
  pid: number;
  /** The command line, for the log. */
  command: string;
  /** The croncd that started it and is gone. */
  parentPid: number;
}

/** Ends the process groups of the children of these ended croncd runs; returns what it ended. */
export function stopOrphanedChildren(deadParents: readonly ProcessIdentity[]): OrphanedChild[] {
  if (deadParents.length === 0) return [];
  let pids: number[];
  try {
    pids = readdirSync("/proc")
      .filter((name) => /^\d+$/.test(name))
      .map(Number);
  } catch {
    return [];
  }
  const stopped: OrphanedChild[] = [];
  for (const pid of pids) {
    const parent = parentOf(pid);
    if (!parent || !deadParents.some((dead) => sameProcess(dead, parent))) continue;
    // Checked again: the list may be older than this process.
    if (!isLocal(parent) || isAlive(parent)) continue;
    if (statFields(pid)?.processGroup !== pid) continue;
    stopped.push({ pid, command: commandOf(pid), parentPid: parent.pid });
    killGroup(pid, "SIGKILL");
  }
  return stopped;
}

/** The croncd named in a process's environment; undefined for other processes (or other users'). */
function parentOf(pid: number): ProcessIdentity | undefined {
  if (pid === process.pid) return undefined;
  let environ: string;
  try {
    environ = readFileSync(`/proc/${pid}/environ`, "utf8");
  } catch {
    return undefined;
  }
  const prefix = `${PARENT_VARIABLE}=`;
  const mark = environ.split("\0").find((entry) => entry.startsWith(prefix));
  const [pidText, startText, ...host] = mark?.slice(prefix.length).split(":") ?? [];
  const parentPid = Number(pidText);
  if (!mark || !Number.isInteger(parentPid) || host.length === 0) return undefined;
  return { pid: parentPid, host: host.join(":"), startTime: startText === "-" ? null : Number(startText) };
}

function sameProcess(a: ProcessIdentity, b: ProcessIdentity): boolean {
  return a.pid === b.pid && a.host === b.host && a.startTime === b.startTime;
}

function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim().slice(0, 200);
  } catch {
    return "?";
  }
}
