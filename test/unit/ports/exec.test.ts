// The process port with real programs (sh, sleep): a stopped child takes its whole process group
// with it, and a helper that outlives its parent cannot keep croncd waiting on the pipes.
import { describe, expect, it } from "vitest";
import { runProgram, startProgram } from "../../../src/ports/exec.js";
import { parentMark } from "../../../src/ports/orphaned-children.js";
import { stillRunning } from "../../helpers/processes.js";

/** A shell that starts a background sleep (its "transport helper"), prints the helper's pid, and waits. */
const WITH_HELPER = 'sleep 300 & echo "$!"; wait';

/**
 * Whether the pid still runs (a zombie waiting for init to reap it does not). A killed process can
 * take a moment to leave the table on a busy machine, so "still running" means: still there after 5 s.
 */
async function running(pid: number): Promise<boolean> {
  for (let waited = 0; waited < 5_000; waited += 50) {
    if ((await stillRunning([pid])).length === 0) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}

describe("runProgram", () => {
  it("a timeout stops the child and everything it started", async () => {
    const result = await runProgram("sh", ["-c", WITH_HELPER], { timeoutMs: 500, label: "helper" });
    expect(result.stoppedBecause).toBe("timeout");
    expect(result.stderr).toBe("sh helper did not finish within 0.5s and was stopped");
    expect(await running(Number(result.stdout))).toBe(false);
  });

  it("a child silent for the stall timeout is stopped with its helpers; output keeps it alive", async () => {
    const silent = await runProgram("sh", ["-c", WITH_HELPER], { stallTimeoutMs: 300, label: "fetch" });
    expect(silent.stoppedBecause).toBe("stalled");
    expect(silent.stderr).toBe("sh fetch received nothing for 0.3s and was stopped");
    expect(await running(Number(silent.stdout))).toBe(false);

    // Prints every 100 ms for a while, then finishes: never silent for 5 s, however busy the machine.
    const talking = await runProgram(
      "sh",
      ["-c", "for i in 1 2 3 4 5 6 7 8; do echo $i >&2; sleep 0.1; done"],
      {
        stallTimeoutMs: 5_000,
      },
    );
    expect(talking.stoppedBecause).toBeUndefined();
    expect(talking.exitCode).toBe(0);
  });

  it("a helper left running by a finished child does not hold the result back, and is ended", async () => {
    // The child exits at once; its helper keeps stdout open (as git-remote-http did for git).
    const result = await runProgram("sh", ["-c", "sleep 300 & echo $!"]);
    expect(result.exitCode).toBe(0);
    expect(await running(Number(result.stdout))).toBe(false);
  });

  it("an abort stops the child and its helpers", async () => {
    const abort = new AbortController();
    const pending = runProgram("sh", ["-c", WITH_HELPER], { signal: abort.signal });
    setTimeout(() => abort.abort(), 200);
    const result = await pending;
    expect(result.stoppedBecause).toBe("cancelled");
    expect(await running(Number(result.stdout))).toBe(false);
  });

  it("passes input, keeps exit codes, and says when a program is missing", async () => {
    expect(await runProgram("sh", ["-c", "cat; exit 3"], { input: "in" })).toMatchObject({
      exitCode: 3,
      stdout: "in",
    });
    expect(await runProgram("croncd-no-such-program", [])).toMatchObject({
      notFound: true,
      stderr: "croncd-no-such-program: not found on PATH",
    });
  });

  it("replaceEnv gives the child only the variables named, and who started it", async () => {
    const result = await runProgram("/usr/bin/env", [], { env: { ONLY: "this" }, replaceEnv: true });
    expect(result.stdout.split("\n").sort()).toEqual([`CRONCD_PARENT=${parentMark()}`, "ONLY=this"]);
    expect(parentMark()).toMatch(new RegExp(`^${process.pid}:\\d+:.+$`));
  });
});

describe("startProgram", () => {
  it("stop ends a child that ignores its closed stdin, with its helpers", async () => {
    const program = startProgram("sh", ["-c", `${WITH_HELPER}`]);
    const helper = await new Promise<number>((resolve) =>
      program.stdout.once("data", (chunk: Buffer) => resolve(Number(chunk.toString().trim()))),
    );
    program.stop();
    await program.exited;
    expect(await running(helper)).toBe(false);
  });
});
