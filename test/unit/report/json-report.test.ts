import { describe, expect, it } from "vitest";
import { renderJsonReport } from "../../../src/report/json-report.js";
import { SecretMasker } from "../../../src/report/mask.js";

describe("JSON report masking", () => {
  it("masks secrets that JSON escaping would change (quotes, backslashes, tabs)", () => {
    const masker = new SecretMasker();
    masker.add('pa"ss\\wd\ttab');
    const text = renderJsonReport(
      {
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
            reason: 'docker said pa"ss\\wd\ttab',
          },
        ],
      },
      masker,
    );
    expect(text).not.toContain('pa\\"ss');
    expect(JSON.parse(text)).toMatchObject({ entries: [{ reason: "docker said ***" }] });
  });

  it("masks age identities even when nobody registered them", () => {
    const masker = new SecretMasker();
    expect(masker.mask("key AGE-SECRET-KEY-1QXRVEJH9S4ABC and AGE-SECRET-KEY-PQ-1ZZZ9 end")).toBe(
      "key *** and *** end",
    );
  });
});
