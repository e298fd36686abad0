import { describe, expect, it } from "vitest";
import { changeEntry } from "../../../src/model/changeset.js";
import { renderDotenvReport } from "../../../src/report/dotenv.js";

const stack = (name: string) => ({ kind: "stack" as const, name, target: "prod" });

describe("dotenv report", () => {
  it("writes every key with the run's counts and exit code, drift counted beside its action", () => {
    const text = renderDotenvReport(
      [
        changeEntry(stack("a"), "created", "new"),
        changeEntry(stack("b"), "configured", "healed", { drift: true }),
        changeEntry(stack("c"), "configured", "changed in git"),
        changeEntry(stack("d"), "failed", "render failed"),
        changeEntry(stack("e"), "skipped", "depends on d"),
        changeEntry(stack("f"), "unchanged", "same"),
        changeEntry(stack("g"), "deleted", "left git"),
      ],
      1,
    );
    expect(text).toBe(
      [
        "CRONCD_EXIT_CODE=1",
        "CRONCD_CREATED=1",
        "CRONCD_CONFIGURED=2",
        "CRONCD_UNCHANGED=1",
        "CRONCD_DELETED=1",
        "CRONCD_SKIPPED=1",
        "CRONCD_FAILED=1",
        "CRONCD_DRIFTED=1",
        "",
      ].join("\n"),
    );
  });

  it("sets every key to 0 when nothing happened, so later jobs can rely on each", () => {
    expect(renderDotenvReport([], 0)).toMatch(/^CRONCD_EXIT_CODE=0\n(CRONCD_[A-Z]+=0\n){7}$/);
  });
});
