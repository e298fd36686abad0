import { describe, expect, it } from "vitest";
import { mapConcurrently } from "../../../src/util/map-concurrently.js";

describe("mapConcurrently", () => {
  it("keeps the order of the items, whatever order the work finishes in", async () => {
    const delays = [30, 5, 20, 0, 10];
    const results = await mapConcurrently(delays, 3, async (delay, index) => {
      await new Promise((resolve) => setTimeout(resolve, delay));
      return `${index}:${delay}`;
    });
    expect(results).toEqual(["0:30", "1:5", "2:20", "3:0", "4:10"]);
  });

  it("never has more than `limit` pieces of work under way", async () => {
    let running = 0;
    let most = 0;
    await mapConcurrently(
      Array.from({ length: 20 }, (_, i) => i),
      4,
      async () => {
        running += 1;
        most = Math.max(most, running);
        await new Promise((resolve) => setTimeout(resolve, 2));
        running -= 1;
      },
    );
    expect(most).toBe(4);
  });

  it("passes a failure on, and copes with no items", async () => {
    await expect(
      mapConcurrently([1, 2], 2, (n) => (n === 2 ? Promise.reject(new Error("two")) : Promise.resolve(n))),
    ).rejects.toThrow("two");
    expect(await mapConcurrently([], 8, () => Promise.resolve(1))).toEqual([]);
  });
});
