import { describe, expect, it } from "vitest";
import { changeEntry } from "../../../src/model/changeset.js";
import { countEntries } from "../../../src/report/counts.js";

describe("countEntries", () => {
  it("counts every action, zero included, and drift beside the action", () => {
    const subject = (name: string) => ({ kind: "stack" as const, name, target: "prod" });
    const counts = countEntries([
      changeEntry(subject("a"), "created", "new"),
      changeEntry(subject("b"), "configured", "drift healed", { drift: true }),
      changeEntry(subject("c"), "configured", "changed in git"),
      changeEntry(subject("d"), "failed", "boom"),
    ]);
    expect(counts).toEqual({
      created: 1,
      configured: 2,
      unchanged: 0,
      deleted: 0,
      skipped: 0,
      failed: 1,
      drifted: 1,
    });
  });
});
