// One judgement from three sources: docker's stack loader decides which keys exist, the Compose
// specification's schema checks the values' types, and Swarm's rules come last.
import { describe, expect, it } from "vitest";
import { deployabilityIssues } from "../../../src/targets/swarm/deployability.js";

const judge = (document: Record<string, unknown>) =>
  deployabilityIssues(document, { stackName: "shop", ownTopLevelKeys: ["x-croncd", "name"] });

describe("deployabilityIssues", () => {
  it("accepts a key docker accepts even where the specification's schema has no such key", () => {
    // From format 3.11 docker ignores unknown build options; the specification refuses them.
    expect(judge({ services: { web: { image: "nginx", build: { context: ".", no_cache: true } } } })).toEqual(
      [],
    );
  });

  it("names an unknown key once, in docker's words", () => {
    expect(judge({ services: { web: { image: "nginx", imgae: "x" } } })).toEqual([
      { path: ["services", "web"], key: "imgae", message: 'unknown key "imgae" (did you mean "image"?)' },
    ]);
  });

  it("keeps the specification's type checks", () => {
    expect(judge({ services: { web: { image: "nginx", deploy: { replicas: "two" } } } })).toEqual([
      { path: ["services", "web", "deploy", "replicas"], message: 'must be integer (got "two")' },
    ]);
  });

  it("lists the loader's, the specification's and Swarm's findings together", () => {
    const issues = judge({
      version: "3.3",
      services: { "web.app": { build: ".", init: true, deploy: { replicas: "two" } } },
    });
    expect(issues.map((issue) => [...issue.path, issue.key ?? ""].join("/"))).toEqual([
      "services/web.app/init",
      "services/web.app/deploy/replicas/",
      "services/web.app/",
      "services/web.app/",
    ]);
  });
});
