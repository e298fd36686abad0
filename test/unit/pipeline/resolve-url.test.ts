import { describe, expect, it } from "vitest";
import { resolveUrl } from "../../../src/pipeline/pull.js";

describe("resolveUrl", () => {
  it("keeps remote URLs, and makes local paths absolute against the config's folder", () => {
    expect(resolveUrl("https://git.example.com/p/stacks.git", "/etc/croncd", "source p")).toBe(
      "https://git.example.com/p/stacks.git",
    );
    expect(resolveUrl("git@git.example.com:p/stacks.git", "/etc/croncd", "source p")).toBe(
      "git@git.example.com:p/stacks.git",
    );
    expect(resolveUrl("../stacks", "/etc/croncd", "source p")).toBe("/etc/stacks");
  });

  it("refuses credentials in an https URL", () => {
    expect(() => resolveUrl("https://ci:secret@git.example.com/p.git", "/", "source p")).toThrow(
      "source p: the URL carries credentials",
    );
  });

  it("refuses a URL git would read as one of its options", () => {
    expect(() => resolveUrl("-oProxyCommand=touch@x:y", "/", "source p")).toThrow(
      "source p: the URL starts with '-'",
    );
  });
});
