import { describe, expect, it } from "vitest";
import {
  carriesMarker,
  commentKey,
  commentMarker,
  displayedConfigPath,
} from "../../../src/plan-comment/marker.js";

const cwd = "/builds/group/config";

describe("plan comment marker", () => {
  it("derives the same key on every runner and for every spelling of the same scope", () => {
    const key = commentKey({ configFile: "croncd.yaml", targets: ["b", "a"], cwd });
    expect(commentKey({ configFile: "./croncd.yaml", targets: ["a", "b", "a"], cwd })).toBe(key);
    expect(
      commentKey({
        configFile: "/home/runner/work/x/croncd.yaml",
        targets: ["a", "b"],
        cwd: "/home/runner/work/x",
      }),
    ).toBe(key);
  });

  it("gives another config file or another target set its own key", () => {
    const key = commentKey({ configFile: "croncd.yaml", targets: [], cwd });
    expect(commentKey({ configFile: "staging/croncd.yaml", targets: [], cwd })).not.toBe(key);
    expect(commentKey({ configFile: "croncd.yaml", targets: ["prod"], cwd })).not.toBe(key);
  });

  it("shows the config path relative to the checkout", () => {
    expect(displayedConfigPath({ configFile: `${cwd}/envs/prod.yaml`, targets: [], cwd })).toBe(
      "envs/prod.yaml",
    );
  });

  it("is an HTML comment that GitLab and GitHub do not display", () => {
    expect(commentMarker("abc")).toMatch(/^<!-- croncd .*abc.* -->$/);
    expect(commentMarker("abc").slice(4, -3)).not.toContain("--");
  });

  it("matches only a body whose first line is the marker", () => {
    const marker = commentMarker("abc");
    expect(carriesMarker(`${marker}\n### croncd plan`, marker)).toBe(true);
    expect(carriesMarker(`${marker}  \r\n### croncd plan`, marker)).toBe(true);
    expect(carriesMarker(`> ${marker}\n> ### croncd plan`, marker)).toBe(false);
    expect(carriesMarker(`see below\n${marker}`, marker)).toBe(false);
    expect(carriesMarker(`${commentMarker("abcd")}\n`, marker)).toBe(false);
  });
});
