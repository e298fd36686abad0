import { describe, expect, it } from "vitest";
import { oneAtATime } from "../../../src/util/one-at-a-time.js";

describe("oneAtATime", () => {
  it("runs work one piece at a time, in the order given, also after a failure", async () => {
    const turn = oneAtATime();
    const events: string[] = [];
    const piece = (name: string, ms: number, fail = false) =>
      turn(async () => {
        events.push(`start ${name}`);
        await new Promise((resolve) => setTimeout(resolve, ms));
        events.push(`end ${name}`);
        if (fail) throw new Error(name);
        return name;
      });
    const results = await Promise.allSettled([piece("a", 20), piece("b", 1, true), piece("c", 5)]);
    expect(events).toEqual(["start a", "end a", "start b", "end b", "start c", "end c"]);
    expect(results.map((result) => result.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
  });
});
