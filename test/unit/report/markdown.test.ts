import { describe, expect, it } from "vitest";
import type { RunReport } from "../../../src/report/json-report.js";
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

  it("keeps angle brackets visible: GitHub and GitLab would read them as HTML tags", () => {
    const markdown = renderMarkdown({
      version: 1,
      command: "reconcile",
      dryRun: false,
      startedAt: "",
      finishedAt: "",
      exitCode: 1,
      sources: [],
      entries: [
        {
          kind: "stack",
          name: "web",
          target: "prod",
          action: "failed",
          reason: "timed out after <duration> & <script>",
        },
      ],
    });
    expect(markdown).toContain("timed out after &lt;duration&gt; &amp; &lt;script&gt;");
    expect(markdown).not.toContain("<duration>");
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

describe("renderMarkdown with alerts", () => {
  const base = {
    version: 1 as const,
    command: "reconcile" as const,
    dryRun: false,
    startedAt: "",
    finishedAt: "",
    exitCode: 1,
    sources: [],
    entries: [],
  };

  it("lists the run's events, a notifier that failed and what the issue tracker did", () => {
    const markdown = renderMarkdown({
      ...base,
      events: [
        {
          kind: "failed",
          severity: "error",
          target: "prod",
          item: { kind: "stack", name: "web" },
          cause: "deploy failed: a | b",
        },
        { kind: "recovered", severity: "info", target: "prod", item: { kind: "stack", name: "db" } },
      ],
      deliveries: [
        { notifier: "ops", events: 2, ok: false, error: "HTTP 500 after 3 attempts", attempts: 3 },
        { notifier: "chat", events: 2, ok: true, attempts: 1 },
      ],
      issues: [{ target: "prod", action: "opened", url: "https://gitlab.example/issues/4" }],
    });
    expect(markdown).toContain("#### Alerts");
    expect(markdown).toContain("| failed | error | prod | stack web | deploy failed: a \\| b |");
    expect(markdown).toContain("| recovered | info | prod | stack db |  |");
    expect(markdown).toContain("notifier ops: not delivered: HTTP 500 after 3 attempts");
    expect(markdown).not.toContain("notifier chat");
    expect(markdown).toContain("issue of target prod: opened (https://gitlab.example/issues/4)");
  });

  it("says a quiet run sent nothing, and has no alert section without `alerts:`", () => {
    expect(renderMarkdown({ ...base, exitCode: 0, events: [], deliveries: [], issues: [] })).toContain(
      "No change of alert state: nothing was sent.",
    );
    expect(renderMarkdown({ ...base, exitCode: 0 })).not.toContain("Alerts");
  });

  it("names exit code 3 for what it is", () => {
    expect(renderMarkdown({ ...base, exitCode: 3 })).toContain(
      "### croncd reconcile could not reach a source or target",
    );
  });
});

describe("renderMarkdown of a run with suspended items", () => {
  const reconcileOf = (entries: RunReport["entries"]): RunReport => ({
    version: 1,
    command: "reconcile",
    dryRun: false,
    startedAt: "",
    finishedAt: "",
    exitCode: 0,
    sources: [],
    entries,
  });
  const unchanged = {
    kind: "stack",
    name: "api",
    target: "prod",
    action: "unchanged",
    reason: "matches git",
  } as const;

  it("lists each suspended item under the table, with who, when and why", () => {
    const suspended = { by: "alice", at: "2026-12-05T06:30:00.000Z", reason: "incident 42" };
    const markdown = renderMarkdown(
      reconcileOf([
        {
          kind: "stack",
          name: "web",
          target: "prod",
          action: "skipped",
          reason: "suspended by alice",
          suspended,
        },
        unchanged,
      ]),
    );
    expect(markdown).toContain(
      "⏸️ **Suspended** — croncd leaves these alone until `croncd resume`:\n\n- stack web (target prod): suspended by alice at 2026-12-05T06:30:00.000Z: incident 42\n",
    );
    expect(markdown).not.toContain("- stack api");
  });

  it("says nothing of suspensions when nothing is suspended", () => {
    expect(renderMarkdown(reconcileOf([unchanged]))).not.toContain("Suspended");
  });
});
