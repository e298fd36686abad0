import { describe, expect, it } from "vitest";
import { renderCommentBody } from "../../../src/plan-comment/body.js";
import type { RunReport } from "../../../src/report/json-report.js";
import { planReport, stackEntries } from "./plan-report.js";

const marker = "<!-- croncd plan comment, key k -->";

const plan = (rows: number, detailLines: string[] = []) =>
  planReport(stackEntries(rows, "configured", detailLines));

const input = (report: RunReport, maxLength = 65_536) => ({
  report,
  marker,
  configPath: "croncd.yaml",
  targets: [],
  commit: "0123456789abcdef0123",
  jobUrl: "https://ci.example/job/1",
  maxLength,
});

describe("renderCommentBody", () => {
  it("starts with the marker, then the plan table, each item's details collapsed, and a footer", () => {
    const body = renderCommentBody(input(plan(1, ["app: image: git has v2, live has v1"])));
    const lines = body.split("\n");
    expect(lines[0]).toBe(marker);
    expect(body).toContain("### croncd plan found changes to apply");
    expect(body).toContain("| prod | stack | stack-0 | 🔄 configured | desired state changed |");
    expect(body).toContain(
      "<details>\n<summary>stack stack-0 (target prod): configured</summary>\n\n```\napp: image: git has v2, live has v1\n```",
    );
    expect(body).toContain(
      "config `croncd.yaml` · all targets · commit 0123456789ab · [job](https://ci.example/job/1)",
    );
  });

  it("fences details so a backtick in them cannot end the code block", () => {
    const body = renderCommentBody(input(plan(1, ["command: git has ```sh```, live has none"])));
    expect(body).toContain("````\ncommand: git has ```sh```, live has none\n````");
  });

  it("drops the details first when the plan is too long, and says so", () => {
    const report = plan(
      3,
      Array.from({ length: 200 }, (_, i) => `line ${i} ${"x".repeat(50)}`),
    );
    const body = renderCommentBody(input(report, 5000));
    expect(body.length).toBeLessThanOrEqual(5000);
    expect(body).not.toContain("<details>");
    expect(body).toContain("| prod | stack | stack-2 |");
    expect(body).toContain(
      "**Truncated:** the plan is longer than a comment may be (5000 characters): the per-item details are left out. The whole plan is in [the job log](https://ci.example/job/1).",
    );
  });

  it("then cuts table rows, keeping the marker so the next push still finds the comment", () => {
    const body = renderCommentBody(input(plan(500), 3000));
    expect(body.length).toBeLessThanOrEqual(3000);
    expect(body.split("\n")[0]).toBe(marker);
    expect(body).toContain("| prod | stack | stack-0 |");
    expect(body).not.toContain("| prod | stack | stack-499 |");
    expect(body).toMatch(/\d+ more table lines and the details are left out/);
  });
});
