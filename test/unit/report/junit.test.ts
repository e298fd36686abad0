import { describe, expect, it } from "vitest";
import { changeEntry, type ChangeSetEntry } from "../../../src/model/changeset.js";
import type { RunReport } from "../../../src/report/json-report.js";
import { renderJunitReport } from "../../../src/report/junit.js";
import { SecretMasker } from "../../../src/report/mask.js";
import { validateJunitFile, withXmlFile, xpath } from "../../helpers/xmllint.js";

function reportOf(entries: ChangeSetEntry[], command: RunReport["command"] = "reconcile"): RunReport {
  return {
    version: 1,
    command,
    dryRun: command === "plan",
    startedAt: "2026-12-05T05:28:11.123Z",
    finishedAt: "2026-12-05T05:29:00.000Z",
    exitCode: 1,
    sources: [],
    entries,
  };
}

/** Renders, validates against the JUnit schema, and hands the file to `body` for XPath queries. */
async function rendered<T>(
  report: RunReport,
  body: (file: string) => Promise<T>,
  masker = new SecretMasker(),
): Promise<T> {
  const xml = renderJunitReport(report, masker, { hostname: "ci-runner-1" });
  return withXmlFile(xml, async (file) => {
    const validation = await validateJunitFile(file);
    expect(validation.valid, `${validation.output}\n${xml}`).toBe(true);
    return body(file);
  });
}

const stack = (name: string, target = "prod") => ({ kind: "stack" as const, name, target });

describe("JUnit report", () => {
  it("has one suite per target and one passing test case per created, unchanged, configured or deleted entry", async () => {
    const report = reportOf([
      changeEntry(stack("web"), "created", "new in git", { durationMs: 1500 }),
      changeEntry(stack("api"), "unchanged", "desired state unchanged"),
      changeEntry(stack("db", "staging"), "configured", "desired state changed", { durationMs: 250 }),
      changeEntry(stack("old", "staging"), "deleted", "left git"),
    ]);
    await rendered(report, async (file) => {
      expect(await xpath(file, "count(/testsuites/testsuite)")).toBe("2");
      expect(await xpath(file, "string(/testsuites/testsuite[1]/@name)")).toBe("prod");
      expect(await xpath(file, "string(/testsuites/testsuite[1]/@tests)")).toBe("2");
      expect(await xpath(file, "string(/testsuites/testsuite[1]/@time)")).toBe("1.500");
      expect(await xpath(file, "string(/testsuites/testsuite[1]/@timestamp)")).toBe("2026-12-05T05:28:11");
      expect(await xpath(file, "string(/testsuites/testsuite[1]/@hostname)")).toBe("ci-runner-1");
      expect(await xpath(file, "string(//testcase[@classname='prod'][1]/@name)")).toBe("stack web");
      expect(await xpath(file, "string(//testcase[@name='stack web']/@time)")).toBe("1.500");
      expect(await xpath(file, "string(//testcase[@name='stack db']/@classname)")).toBe("staging");
      expect(await xpath(file, "string(/testsuites/testsuite[2]/@tests)")).toBe("2");
      expect(await xpath(file, "string(/testsuites/testsuite[2]/@id)")).toBe("1");
      // Passing cases carry no verdict element.
      expect(await xpath(file, "count(//testcase/*)")).toBe("0");
      expect(await xpath(file, "string(/testsuites/testsuite[1]/system-out)")).toContain(
        "stack web: created — new in git",
      );
    });
  });

  it("reports a failure with the cause as message and text, and where the cause sits", async () => {
    const report = reportOf([
      changeEntry(stack("web"), "failed", "render failed: compose.yaml:3:5: bad indentation\nsecond line", {
        location: { file: "stacks/web/compose.yaml", line: 3 },
      }),
    ]);
    await rendered(report, async (file) => {
      expect(await xpath(file, "string(//testcase[@name='stack web']/failure/@type)")).toBe("failed");
      expect(await xpath(file, "string(//testcase[@name='stack web']/failure/@message)")).toBe(
        "render failed: compose.yaml:3:5: bad indentation",
      );
      const text = await xpath(file, "string(//testcase[@name='stack web']/failure)");
      expect(text).toContain("bad indentation\nsecond line");
      expect(text).toContain("at stacks/web/compose.yaml:3");
      expect(await xpath(file, "string(/testsuites/testsuite/@failures)")).toBe("1");
    });
  });

  it("shows drift as a failure of type drift carrying the field differences", async () => {
    const report = reportOf([
      changeEntry(stack("web"), "configured", "drifted: healed", {
        drift: true,
        details: ["service web_app: replicas 1 → 3 (changed by hand)"],
      }),
    ]);
    await rendered(report, async (file) => {
      expect(await xpath(file, "string(//failure/@type)")).toBe("drift");
      expect(await xpath(file, "string(//failure)")).toContain("replicas 1 → 3 (changed by hand)");
      expect(await xpath(file, "string(/testsuites/testsuite/@failures)")).toBe("1");
    });
  });

  it("marks skipped entries skipped, but counts validate's valid items as passing", async () => {
    const skipped = changeEntry(stack("web"), "skipped", "not deployed: it depends on db, which failed");
    await rendered(reportOf([skipped]), async (file) => {
      expect(await xpath(file, "string(//testcase/skipped/@message)")).toBe(skipped.reason);
      expect(await xpath(file, "string(//testcase/skipped)")).toBe(skipped.reason);
      expect(await xpath(file, "string(/testsuites/testsuite/@skipped)")).toBe("1");
    });
    const valid = changeEntry(stack("web"), "skipped", "valid: stacks/web/compose.yaml");
    await rendered(reportOf([valid], "validate"), async (file) => {
      expect(await xpath(file, "count(//testcase/*)")).toBe("0");
      expect(await xpath(file, "string(/testsuites/testsuite/@skipped)")).toBe("0");
    });
  });

  it("makes run-, source- and target-level failures their own test cases", async () => {
    const report = reportOf([
      changeEntry({ kind: "run", name: "reconcile", target: "-" }, "failed", "croncd.yaml:4: unknown key"),
      changeEntry({ kind: "target", name: "prod", target: "prod" }, "failed", "nothing done: clone failed"),
    ]);
    await rendered(report, async (file) => {
      expect(await xpath(file, "string(//testcase[@classname='-']/@name)")).toBe("run reconcile");
      expect(await xpath(file, "string(//testcase[@name='target prod']/failure/@message)")).toBe(
        "nothing done: clone failed",
      );
    });
  });

  it("escapes quotes, <, & and ]]>, keeps line breaks in attributes, and drops characters XML forbids", async () => {
    const reason = `docker said "no" <&> ]]> it's\tdone\u0000\u001b[31mred\u001b[0m \uD800 end`;
    const report = reportOf([changeEntry(stack("web"), "failed", reason)]);
    await rendered(report, async (file) => {
      const message = await xpath(file, "string(//failure/@message)");
      expect(message).toBe(`docker said "no" <&> ]]> it's\tdone\uFFFD\uFFFD[31mred\uFFFD[0m \uFFFD end`);
    });
    const multiLine = reportOf([changeEntry(stack("web"), "skipped", "first\nsecond")]);
    await rendered(multiLine, async (file) => {
      expect(await xpath(file, "string(//skipped/@message)")).toBe("first\nsecond");
    });
  });

  it("masks secrets value by value, also those that escaping would change", async () => {
    const masker = new SecretMasker();
    masker.add('s3"cr<e>t&');
    masker.add("hunter22");
    const report = reportOf([
      changeEntry({ kind: "stack", name: "web", target: "prod" }, "failed", 'login failed: s3"cr<e>t&', {
        details: ["PASSWORD hunter22 → changed"],
      }),
    ]);
    const xml = renderJunitReport(report, masker);
    expect(xml).not.toContain("hunter22");
    expect(xml).not.toContain("s3&quot;cr&lt;e&gt;t&amp;");
    await rendered(
      report,
      async (file) => {
        expect(await xpath(file, "string(//failure/@message)")).toBe("login failed: ***");
        expect(await xpath(file, "string(//failure)")).toContain("PASSWORD *** → changed");
      },
      masker,
    );
  });

  it("puts the run's warnings, masked, in each suite's system-err", async () => {
    const masker = new SecretMasker();
    masker.add("tok-123456");
    const report = {
      ...reportOf([changeEntry(stack("web"), "unchanged", "matches git")]),
      warnings: ["the plan comment was not posted: 401 for token tok-123456 <bad>"],
    };
    await rendered(
      report,
      async (file) => {
        expect(await xpath(file, "string(//testsuite/system-err)")).toBe(
          "warning: the plan comment was not posted: 401 for token *** <bad>\n",
        );
      },
      masker,
    );
  });

  it("writes a valid empty report when the run reported nothing", async () => {
    await rendered(reportOf([]), async (file) => {
      expect(await xpath(file, "count(//testsuite)")).toBe("0");
    });
  });
});
