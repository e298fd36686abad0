import { describe, expect, it } from "vitest";
import { readStackOptions } from "../../../src/targets/swarm/stack-options.js";

const WHERE = "stacks/web/compose.yaml";

describe("x-croncd.stableFor", () => {
  it("defaults to 5 s past Swarm's monitor period", () => {
    expect(readStackOptions(undefined, WHERE).stableForSeconds).toBe(5);
  });

  it.each([
    [0, 0],
    ["0s", 0],
    [30, 30],
    ["2m", 120],
  ])("reads %j as %d seconds", (value, seconds) => {
    expect(readStackOptions({ stableFor: value }, WHERE).stableForSeconds).toBe(seconds);
  });

  it("refuses a negative or unit-less text, naming the file and the field", () => {
    expect(() => readStackOptions({ stableFor: -1 }, WHERE)).toThrow(
      /stacks\/web\/compose\.yaml.*x-croncd\.stableFor/,
    );
    expect(() => readStackOptions({ stableFor: "soon" }, WHERE)).toThrow(
      'x-croncd.stableFor: use seconds or "90s", "5m", "1h"',
    );
  });
});

describe("x-croncd.suspend", () => {
  it("is off unless set, and carries its reason", () => {
    expect(readStackOptions(undefined, WHERE).suspend).toBe(false);
    expect(readStackOptions({ suspend: true, suspendReason: "database move" }, WHERE)).toMatchObject({
      suspend: true,
      suspendReason: "database move",
    });
  });

  it("refuses a reason without suspend: true, naming the file and the field", () => {
    expect(() => readStackOptions({ suspendReason: "forgot the switch" }, WHERE)).toThrow(
      /stacks\/web\/compose\.yaml.*x-croncd\.suspendReason: suspendReason goes with suspend: true/,
    );
  });
});
