// The hidden first line of croncd's issue is its alert state: it must read back exactly what was
// written, and nothing else may pass for it.
import { describe, expect, it } from "vitest";
import {
  formatMarker,
  itemKey,
  parseMarker,
  sameFailures,
} from "../../../../src/alerts/issue-tracker/marker.js";

describe("issue marker", () => {
  it("reads back the target and every failure it was written with", () => {
    const marker = {
      target: "prod.eu-1",
      failures: [
        { item: itemKey({ kind: "release", name: "api" }), fingerprint: "aaaaaaaaaaaaaaaa" },
        { item: itemKey(undefined), fingerprint: "bbbbbbbbbbbbbbbb" },
      ],
    };
    const line = formatMarker(marker);
    expect(line).toBe(
      "<!-- croncd:issue target=prod.eu-1 failures=-:bbbbbbbbbbbbbbbb,release/api:aaaaaaaaaaaaaaaa -->",
    );
    const parsed = parseMarker(`${line}\n### the rest of the issue`);
    expect(parsed?.target).toBe("prod.eu-1");
    expect(sameFailures(parsed?.failures ?? [], marker.failures)).toBe(true);
  });

  it("keeps a name that could end the HTML comment or the list inside the marker", () => {
    const item = itemKey({ kind: "stack", name: "a,b --> c:d" });
    const line = formatMarker({
      target: "odd target",
      failures: [{ item, fingerprint: "cccccccccccccccc" }],
    });
    expect(line.split("-->")).toHaveLength(2);
    expect(parseMarker(line)).toEqual({
      target: "odd target",
      failures: [{ item, fingerprint: "cccccccccccccccc" }],
    });
  });

  it("takes only a whole first line: a quote of the marker elsewhere is not croncd's issue", () => {
    const line = formatMarker({ target: "prod", failures: [] });
    expect(parseMarker(`> ${line}`)).toBeUndefined();
    expect(parseMarker(`Copied from croncd:\n${line}`)).toBeUndefined();
    expect(
      parseMarker("<!-- croncd plan comment, key 0123; edited in place on every push -->"),
    ).toBeUndefined();
  });
});
