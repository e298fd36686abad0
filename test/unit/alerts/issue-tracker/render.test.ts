// What people read in croncd's issue: every cause visible as written, the table intact, nobody
// notified by accident.
import { describe, expect, it } from "vitest";
import { markedFailures } from "../../../../src/alerts/issue-tracker/changes.js";
import { failingBody } from "../../../../src/alerts/issue-tracker/render.js";
import type { TargetFailure } from "../../../../src/alerts/issue-tracker/types.js";

const context = { target: "prod", maxLength: 65_536 };
const body = (failures: TargetFailure[]) => failingBody(context, failures, markedFailures(failures));
const stack = (name: string, cause: string): TargetFailure => ({
  item: { kind: "stack", name },
  cause,
  fingerprint: `${name}-fp`,
});

describe("issue body", () => {
  it("shows a cause as code, so placeholders are not taken for HTML and @names notify nobody", () => {
    const text = body([stack("web", "task <id> failed after <duration>; ask @alice about #12")]);
    expect(text).toContain("| stack `web` | `task <id> failed after <duration>; ask @alice about #12` |");
  });

  it("keeps the table whole when a cause holds pipes, newlines or backticks", () => {
    const text = body([stack("web", "exit `1` | see\nlog"), stack("api", "`quoted`")]);
    expect(text).toContain("| stack `web` | ``exit `1` \\| see log`` |");
    expect(text).toContain("| stack `api` | `` `quoted` `` |");
  });

  it("lists a failure of the whole target first, then items by kind and name", () => {
    const text = body([
      stack("web", "a"),
      { item: { kind: "release", name: "zeta" }, cause: "b", fingerprint: "z" },
      { cause: "docker daemon refused the connection", fingerprint: "t" },
      stack("api", "c"),
    ]);
    const rows = text.split("\n").filter((line) => line.startsWith("| ") && !line.startsWith("| item"));
    expect(rows.map((row) => row.split(" | ")[0])).toEqual([
      "| the whole target",
      "| release `zeta`",
      "| stack `api`",
      "| stack `web`",
    ]);
  });

  it("cuts a cause longer than a table cell should be", () => {
    const text = body([stack("web", `x${"y".repeat(5_000)}`)]);
    expect(text).toContain(`| stack \`web\` | \`x${"y".repeat(998)}…\` |`);
  });
});
