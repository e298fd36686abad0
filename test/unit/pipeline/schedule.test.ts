import { describe, expect, it } from "vitest";
import { runScheduled, type Job } from "../../../src/pipeline/schedule.js";

type Result = "ok" | "failed" | `blocked by ${string}`;

function jobs(
  spec: Record<string, { after?: string[]; result?: Result; ms?: number }>,
  log: string[],
): Job<Result>[] {
  return Object.entries(spec).map(([name, { after = [], result = "ok", ms = 5 }]) => ({
    name,
    dependsOn: after,
    run: async () => {
      log.push(`start ${name}`);
      await new Promise((resolve) => setTimeout(resolve, ms));
      log.push(`end ${name}`);
      return result;
    },
  }));
}

const options = (parallelism: number) => ({
  parallelism,
  succeeded: (result: Result) => result === "ok",
  blocked: (_job: Job<Result>, dependency: string): Result => `blocked by ${dependency}`,
});

describe("runScheduled", () => {
  it("starts a job only after its dependencies finished", async () => {
    const log: string[] = [];
    const results = await runScheduled(jobs({ app: { after: ["db"] }, db: { ms: 20 } }, log), options(4));
    expect(log).toEqual(["start db", "end db", "start app", "end app"]);
    expect([...results]).toEqual(
      expect.arrayContaining([
        ["db", "ok"],
        ["app", "ok"],
      ]),
    );
  });

  it("runs independent jobs in parallel, never more than the limit", async () => {
    const log: string[] = [];
    await runScheduled(jobs({ a: { ms: 20 }, b: { ms: 20 }, c: { ms: 20 } }, log), options(2));
    expect(log.slice(0, 2)).toEqual(["start a", "start b"]);
    expect(log.indexOf("start c")).toBeGreaterThan(
      log.indexOf("end a") < log.indexOf("end b") ? log.indexOf("end a") : log.indexOf("end b"),
    );
  });

  it("does not run a job whose dependency failed, and says which", async () => {
    const log: string[] = [];
    const results = await runScheduled(
      jobs({ db: { result: "failed" }, app: { after: ["db"] }, web: { after: ["app"] }, other: {} }, log),
      options(4),
    );
    expect(results.get("app")).toBe("blocked by db");
    expect(results.get("web")).toBe("blocked by app");
    expect(results.get("other")).toBe("ok");
    expect(log).not.toContain("start app");
  });

  it("treats settled results (unchanged stacks) as dependencies already met", async () => {
    const log: string[] = [];
    const results = await runScheduled(jobs({ app: { after: ["db"] } }, log), {
      ...options(1),
      settled: new Map<string, Result>([["db", "ok"]]),
    });
    expect(results.get("app")).toBe("ok");
  });
});
