// Which unfetched submodules make a target unreadable: its path inside one, or a stack folder that is one.
import { describe, expect, it } from "vitest";
import { submoduleProblem } from "../../../src/pipeline/submodule-check.js";

describe("submoduleProblem", () => {
  it("a target path inside a submodule", () => {
    expect(submoduleProblem("vendor/stacks/prod", ["vendor/stacks"], "platform")).toBe(
      "the target's path vendor/stacks/prod is inside git submodule vendor/stacks, which croncd does not fetch: set submodules: true on source platform",
    );
  });

  it("a stack folder that is a submodule, also for the repository root as path", () => {
    expect(submoduleProblem("stacks", ["stacks/monitoring"], "platform")).toContain(
      "stack folder stacks/monitoring is a git submodule",
    );
    expect(submoduleProblem(".", ["monitoring"], "platform")).toContain(
      "stack folder monitoring is a git submodule",
    );
  });

  it("a path written with a trailing slash or ./ is the same folder", () => {
    for (const written of ["stacks/", "./stacks", "stacks//", "./stacks/"]) {
      expect(submoduleProblem(written, ["stacks/monitoring"], "platform"), written).toContain(
        "stack folder stacks/monitoring is a git submodule",
      );
    }
    expect(submoduleProblem("./", ["monitoring"], "platform")).toContain(
      "stack folder monitoring is a git submodule",
    );
  });

  it("submodules elsewhere, or deeper inside a stack, leave the target readable", () => {
    expect(
      submoduleProblem("stacks", ["vendor/base", "stacks/web/lib", "stacks-old"], "platform"),
    ).toBeUndefined();
    expect(submoduleProblem(".", ["vendor/base"], "platform")).toBeUndefined();
    expect(submoduleProblem("stacks", [], "platform")).toBeUndefined();
  });
});
