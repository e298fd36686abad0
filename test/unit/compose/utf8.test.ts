// Bytes that are not UTF-8 must stop the render with the place to fix, never be replaced with
// U+FFFD and deployed altered.
import { describe, expect, it } from "vitest";
import { RenderError } from "../../../src/errors.js";
import { decodeUtf8 } from "../../../src/compose/utf8.js";

const bytes = (...parts: (string | number[])[]): Uint8Array =>
  Buffer.concat(
    parts.map((part) => (typeof part === "string" ? Buffer.from(part, "utf8") : Buffer.from(part))),
  );

function failure(input: Uint8Array): RenderError {
  try {
    decodeUtf8(input, "stacks/web/compose.yaml");
  } catch (error) {
    if (error instanceof RenderError) return error;
    throw error;
  }
  throw new Error("decodeUtf8 accepted invalid UTF-8");
}

describe("decodeUtf8", () => {
  it("returns valid UTF-8 as it is, byte order mark included", () => {
    expect(decodeUtf8(bytes([0xef, 0xbb, 0xbf], "name: café ☕ 🐳\n"), "f")).toBe("\uFEFFname: café ☕ 🐳\n");
  });

  it("names the file, line and column of a Latin-1 byte", () => {
    const error = failure(bytes("services:\n  web:\n    image: caf", [0xe9], "\n"));
    expect(error.message).toMatch(/^stacks\/web\/compose\.yaml:3:15: invalid UTF-8 \(byte 0xE9\)/);
    expect(error.message).toContain("save the file as UTF-8");
  });

  it("counts the column in characters, not bytes", () => {
    // "é" and "☕" are 2 and 3 bytes but one column each.
    expect(failure(bytes("é☕", [0xff])).message).toContain("compose.yaml:1:3:");
  });

  it.each([
    ["an overlong encoding", [0xc0, 0xaf]],
    ["a UTF-16 surrogate", [0xed, 0xa0, 0x80]],
    ["a code point above U+10FFFF", [0xf4, 0x90, 0x80, 0x80]],
    ["a sequence cut short by the end of the file", [0xe2, 0x98]],
    ["a stray continuation byte", [0x80]],
  ])("refuses %s", (_, sequence) => {
    expect(failure(bytes("a: b\nc: ", sequence)).message).toContain("compose.yaml:2:4: invalid UTF-8");
  });
});
