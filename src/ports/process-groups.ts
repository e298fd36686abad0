/**
 * Every child croncd starts leads its own process group, and this registry knows the groups still
 * alive. Killing the group, not just the child, is what ends the helpers a child starts itself
 * (`git-remote-http` under `git fetch`, `ssh` under `docker -H ssh://`): left alive, they keep the
 * child's output pipes open and the run never ends.
 *
 * The price of own groups: a signal sent to croncd's group no longer reaches them. So SIGTERM and
 * SIGINT make croncd exit (exit-on-signal.ts), and every group still alive is killed when it
 * exits, for whatever reason.
 */
import { exitOnSignals } from "../util/exit-on-signal.js";

const liveGroups = new Set<number>();
let exitHookInstalled = false;

/** Remembers a group (its leader's pid) until `forgetGroup`. */
export function trackGroup(leaderPid: number): void {
  liveGroups.add(leaderPid);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  exitOnSignals();
  // Synchronous: nothing can be awaited once the process is exiting.
  process.once("exit", () => killAllGroups("SIGKILL"));
}

export function forgetGroup(leaderPid: number): void {
  liveGroups.delete(leaderPid);
}

/**
 * Signals every process of the group. Best effort, never a throw: it runs in exit listeners and
 * timers where an exception would crash croncd. A group already gone (ESRCH) is the usual case; a
 * leader pid since reused by another user's process (EPERM) is no longer ours to signal.
 */
export function killGroup(leaderPid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-leaderPid, signal);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== "ESRCH" && code !== "EPERM")
      process.emitWarning(`could not stop process group ${leaderPid}: ${String(code)}`);
  }
}

/** Ends every child croncd still has (a cancelled job, an exit). */
export function killAllGroups(signal: NodeJS.Signals): void {
  for (const leader of liveGroups) killGroup(leader, signal);
  liveGroups.clear();
}
