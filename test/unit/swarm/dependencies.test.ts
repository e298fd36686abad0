import { describe, expect, it } from "vitest";
import { dependencyProblems, findCycles } from "../../../src/targets/swarm/dependencies.js";
import type { DesiredStack } from "../../../src/targets/swarm/model.js";

const stack = (name: string, dependsOn: string[] = []) =>
  ({
    name,
    options: { prune: true, adopt: false, dependsOn, timeoutSeconds: 300, stableForSeconds: 5 },
  }) as DesiredStack;

describe("dependencies", () => {
  it("finds cycles and names every stack on them", () => {
    const stacks = [stack("a", ["b"]), stack("b", ["c"]), stack("c", ["a"]), stack("d", ["a"])];
    expect(findCycles(stacks)).toEqual([["a", "b", "c"]]);
    const problems = dependencyProblems(stacks, ["a", "b", "c", "d"]);
    expect(problems.get("b")).toBe("x-croncd.dependsOn forms a cycle: a → b → c → a");
    expect(problems.has("d")).toBe(false);
  });

  it("refuses a dependency git does not declare, and blocks on one that failed to render", () => {
    const problems = dependencyProblems(
      [stack("app", ["dbb"]), stack("web", ["broken"])],
      ["app", "web", "broken"],
    );
    expect(problems.get("app")).toContain("names dbb, which this target's git does not declare");
    expect(problems.get("web")).toBe("not deployed: it depends on broken, which failed to render");
  });

  it("accepts a plain dependency chain", () => {
    expect(dependencyProblems([stack("app", ["db"]), stack("db")], ["app", "db"]).size).toBe(0);
  });
});
