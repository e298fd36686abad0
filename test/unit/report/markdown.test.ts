import { describe, expect, it } from "vitest";
import { renderMarkdown } from "../../../src/report/markdown.js";

describe("renderMarkdown", () => {
  it("renders sources and one row per entry, escaping table syntax", () => {
    const markdown = renderMarkdown({
      version: 1,
      command: "plan",
      dryRun: true,
      startedAt: "",
      finishedAt: "",
      exitCode: 2,
      sources: [{ name: "platform", url: "u", ref: "main", commit: "0123456789abcdef", durationMs: 1 }],
      entries: [{ kind: "stack", name: "web", target: "prod", action: "configured", reason: "a | b\nc" }],
    });
    expect(markdown).toContain("### croncd plan found changes to apply");
    expect(markdown).toContain("| platform | main | 0123456789ab |");
    expect(markdown).toContain("| prod | stack | web | 🔄 configured | a \\| b c |");
    expect(markdown).toContain("action (planned)");
  });
});

describe("renderMarkdown with details", () => {
  const report = {
    version: 1 as const,
    command: "plan" as const,
    dryRun: true,
    startedAt: "",
    finishedAt: "",
    exitCode: 2,
    sources: [],
    entries: [
      {
        kind: "stack" as const,
        name: "web",
        target: "prod",
        action: "configured" as const,
        reason: "desired state changed",
        details: ["app: image: git has b:2, live has b:1"],
      },
    ],
  };

  it("collapses each item's details under the table only when asked", () => {
    expect(renderMarkdown(report, { details: true })).toContain(
      "<details>\n<summary>stack web (target prod): configured</summary>\n\n```\napp: image: git has b:2, live has b:1\n```\n\n</details>",
    );
    expect(renderMarkdown(report)).not.toContain("<details>");
  });
});
