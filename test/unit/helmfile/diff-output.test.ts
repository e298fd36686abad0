// helmfile diff output → per-release results: the header lines, the change lines, and which
// release an error belongs to (helmfile's summary tables are never read).
import { describe, expect, it } from "vitest";
import { parseDiffOutput } from "../../../src/targets/helmfile/diff-output.js";

const RELEASES = [
  { name: "web", namespace: "team-a" },
  { name: "web-api", namespace: "team-a" },
];

describe("parseDiffOutput", () => {
  it("splits stdout at each Comparing header and marks only releases with change lines as changed", () => {
    const outcome = parseDiffOutput(
      {
        exitCode: 2,
        stdout: [
          "Comparing release=web, chart=./charts/greeter, namespace=team-a",
          "Comparing release=web-api, chart=./charts/greeter, namespace=team-a",
          "team-a, web-api-config, ConfigMap (v1) has changed:",
          "-   greeting: hello",
          "+   greeting: hi",
        ].join("\n"),
        stderr: "",
      },
      RELEASES,
    );
    expect(outcome.releases.get("team-a/web")).toEqual({ lines: [], changed: false });
    expect(outcome.releases.get("team-a/web-api")?.changed).toBe(true);
    expect(outcome.unattributedError).toBeUndefined();
  });

  it("gives helm's error line to the release helmfile names, not to a release whose name it starts", () => {
    const outcome = parseDiffOutput(
      {
        exitCode: 1,
        stdout: "Comparing release=web, chart=./charts/missing, namespace=team-a",
        stderr: [
          'in ./helmfile.yaml: failed processing release web: command "helm" exited with non-zero status:',
          "STDERR:",
          '  Error: path "charts/missing" not found',
        ].join("\n"),
      },
      RELEASES,
    );
    expect(outcome.releases.get("team-a/web")?.error).toBe('Error: path "charts/missing" not found');
    expect(outcome.releases.get("team-a/web-api")).toBeUndefined();
    expect(outcome.unattributedError).toBeUndefined();
  });

  it("reports an error that names no release as unattributed, so nothing is trusted", () => {
    const outcome = parseDiffOutput(
      { exitCode: 1, stdout: "", stderr: "err: no state file found" },
      RELEASES,
    );
    expect(outcome.unattributedError).toBe("helmfile diff failed: err: no state file found");
  });
});
