import { describe, expect, it } from "vitest";
import { applyRefOverrides } from "../../../src/config/ref-overrides.js";
import { parseConfig } from "../../../src/config/load.js";

const config = parseConfig(
  "sources:\n  - { name: a, url: /a }\n  - { name: b, url: /b, ref: v1 }\ntargets:\n  - { name: t, type: swarm, source: a }\n",
  "croncd.yaml",
);

describe("applyRefOverrides", () => {
  it("replaces the ref of the named source only", () => {
    const result = applyRefOverrides(config, ["a=0123abc"]);
    expect(result.sources.map((source) => [source.name, source.ref])).toEqual([
      ["a", "0123abc"],
      ["b", "v1"],
    ]);
    expect(config.sources[0]?.ref).toBe("main");
  });

  it("names unknown sources and malformed overrides", () => {
    expect(() => applyRefOverrides(config, ["c=main"])).toThrow('--ref: no source named "c"; known: a, b');
    expect(() => applyRefOverrides(config, ["main"])).toThrow('--ref: "main" is not SOURCE=REF');
    expect(() => applyRefOverrides(config, ["a="])).toThrow("is not SOURCE=REF");
  });
});
