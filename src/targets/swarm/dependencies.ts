/**
 * `x-croncd.dependsOn` between the stacks of one target: a dependency that git does not declare,
 * and a cycle, are errors of the stacks involved — found before anything is deployed.
 */
import type { DesiredStack } from "./model.js";

/** Stack name → why it cannot be deployed in this run, for the stacks whose dependencies are wrong. */
export function dependencyProblems(
  stacks: readonly DesiredStack[],
  declared: readonly string[],
): Map<string, string> {
  const problems = new Map<string, string>();
  const known = new Set(declared);
  const rendered = new Set(stacks.map((stack) => stack.name));
  for (const stack of stacks) {
    const unknown = stack.options.dependsOn.filter((name) => !known.has(name));
    if (unknown.length > 0) {
      problems.set(
        stack.name,
        `x-croncd.dependsOn names ${unknown.join(", ")}, which this target's git does not declare`,
      );
      continue;
    }
    const broken = stack.options.dependsOn.filter((name) => !rendered.has(name));
    if (broken.length > 0)
      problems.set(stack.name, `not deployed: it depends on ${broken.join(", ")}, which failed to render`);
  }
  for (const cycle of findCycles(stacks)) {
    for (const name of cycle)
      problems.set(name, `x-croncd.dependsOn forms a cycle: ${[...cycle, cycle[0]].join(" → ")}`);
  }
  return problems;
}

/** Every cycle in the dependency graph, each as the list of stacks on it. */
export function findCycles(stacks: readonly DesiredStack[]): string[][] {
  const edges = new Map(stacks.map((stack) => [stack.name, stack.options.dependsOn]));
  const state = new Map<string, "visiting" | "done">();
  const cycles: string[][] = [];
  const visit = (name: string, path: string[]) => {
    if (state.get(name) === "done") return;
    if (state.get(name) === "visiting") {
      cycles.push(path.slice(path.indexOf(name), -1));
      return;
    }
    state.set(name, "visiting");
    for (const next of edges.get(name) ?? []) visit(next, [...path, next]);
    state.set(name, "done");
  };
  for (const name of [...edges.keys()].sort()) visit(name, [name]);
  return cycles;
}
