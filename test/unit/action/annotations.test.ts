// Annotations go through the real @actions/core, which writes workflow commands to stdout: the
// test reads them there, as the runner would.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { annotateEntries, Annotations } from "../../../action/annotations.js";
import { changeEntry } from "../../../src/model/changeset.js";

describe("annotations", () => {
  let printed: string[];

  beforeEach(() => {
    printed = [];
    vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
      printed.push(String(chunk));
      return true;
    });
  });

  afterEach(() => {
    vi.restoreAllMocks();
  });

  const web = { kind: "stack" as const, name: "web", target: "prod" };

  it("annotates a failure at its file and line, and a drift as a warning with its diff", () => {
    const entries = [
      changeEntry(web, "failed", "deploy failed: 100% broken\r\nfailed to update service", {
        location: { file: "stacks/web/compose.yaml", line: 4 },
      }),
      changeEntry({ ...web, name: "api" }, "configured", "drifted: healed", {
        drift: true,
        details: ["app: replicas 1 → 2"],
      }),
      changeEntry({ ...web, name: "ok" }, "unchanged", "as in git"),
    ];
    annotateEntries(entries, new Annotations(), (entry) =>
      entry.location ? { file: entry.location.file, startLine: 4 } : {},
    );
    expect(printed).toEqual([
      "::error title=stack web (target prod) failed,file=stacks/web/compose.yaml,line=4::deploy failed: 100%25 broken%0D%0Afailed to update service\n",
      "::warning title=stack api (target prod) changed by hand::drifted: healed%0Aapp: replicas 1 → 2\n",
    ]);
  });

  it("names a location GitHub cannot link in the message instead", () => {
    const entries = [changeEntry(web, "failed", "render failed", { location: { file: "a.yaml", line: 2 } })];
    annotateEntries(entries, new Annotations(), () => ({ elsewhere: "a.yaml:2 in source platform" }));
    expect(printed).toEqual([
      "::error title=stack web (target prod) failed::render failed%0Aat a.yaml:2 in source platform\n",
    ]);
  });

  it("annotates a logged error once, at the entry's file, when the run's entry reports it too", () => {
    const annotations = new Annotations();
    const log = annotations.workflowCommands();
    log.error("croncd.yaml: invalid configuration");
    log.warning("variable TAG is not set");
    annotateEntries(
      [
        changeEntry(
          { kind: "run", name: "reconcile", target: "-" },
          "failed",
          "croncd.yaml: invalid configuration",
          {
            location: { file: "croncd.yaml", line: 7 },
          },
        ),
      ],
      annotations,
      () => ({ file: "croncd.yaml", startLine: 7 }),
    );
    annotations.annotateLog();
    expect(printed).toEqual([
      "error: croncd.yaml: invalid configuration\n",
      "warning: variable TAG is not set\n",
      "::error title=croncd reconcile failed,file=croncd.yaml,line=7::croncd.yaml: invalid configuration\n",
      "::warning::variable TAG is not set\n",
    ]);
  });
});
