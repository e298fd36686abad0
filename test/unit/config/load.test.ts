import { describe, expect, it } from "vitest";
import { parseConfig } from "../../../src/config/load.js";
import { DEFAULTS } from "../../../src/config/schema.js";
import { locationOf } from "../../../src/errors.js";
import { configErrorOf } from "../../helpers/config-error.js";

const VALID = `sources:
  - name: platform
    url: https://git.example.com/platform/stacks.git
    ref: main
    auth: { tokenEnv: PLATFORM_GIT_TOKEN }
targets:
  - name: prod
    type: swarm
    source: platform
    path: stacks
    prune: true
    docker: { host: ssh://deploy@manager1 }
`;

const errorOf = configErrorOf;

describe("parseConfig", () => {
  it("accepts the documented shape and fills in defaults", () => {
    const config = parseConfig(VALID, "croncd.yaml");
    expect(config.targets[0]).toMatchObject({
      name: "prod",
      prune: true,
      allowEmpty: DEFAULTS.allowEmpty,
      maxPrune: DEFAULTS.maxPrune,
      resolveImage: "always",
      docker: { host: "ssh://deploy@manager1" },
      env: [],
    });
    expect(config.sources[0]?.auth).toEqual({ tokenEnv: "PLATFORM_GIT_TOKEN" });
  });

  it("names the field, the line and the known sources for a dangling reference", () => {
    expect(errorOf(VALID.replace("source: platform", "source: platfrom"))).toContain(
      'line 9: targets[0].source: no source named "platfrom"; known: platform',
    );
  });

  it("carries the file and the line of the first problem as data, for CI annotations", () => {
    // Two problems, on lines 11 and 10: the annotation points at line 10.
    const broken = VALID.replace("prune: true", 'prune: "yes"').replace("path: stacks", "path: ../elsewhere");
    let thrown: unknown;
    try {
      parseConfig(broken, "ci/croncd.yaml");
    } catch (error) {
      thrown = error;
    }
    expect(locationOf(thrown)).toEqual({ file: "ci/croncd.yaml", line: 10 });
  });

  it("gives every target a lock with the documented defaults, and checks its settings", () => {
    expect(parseConfig(VALID, "croncd.yaml").targets[0]?.lock).toEqual({
      name: "croncd-lock",
      wait: 600,
      ttl: 300,
    });
    const custom = VALID.replace(
      "    prune: true\n",
      "    prune: true\n    lock: { name: team-a-lock, wait: 0, ttl: 60 }\n",
    );
    expect(parseConfig(custom, "croncd.yaml").targets[0]?.lock).toEqual({
      name: "team-a-lock",
      wait: 0,
      ttl: 60,
    });
    const message = errorOf(
      VALID.replace("    prune: true\n", "    prune: true\n    lock: { name: Team_A, ttl: 0, wiat: 5 }\n"),
    );
    expect(message).toContain("line 12: targets[0].lock.name: must be lowercase letters, digits");
    expect(message).toContain("targets[0].lock.ttl");
    expect(message).toContain('targets[0].lock: unknown key "wiat"');
  });

  it("names unknown keys with their path", () => {
    expect(errorOf(VALID.replace("    prune: true", "    prnue: true"))).toMatch(
      /targets\[0\]: unknown key "prnue"/,
    );
  });

  it("rejects wrong types, missing fields and paths that leave the repository", () => {
    const message = errorOf(
      VALID.replace("prune: true", 'prune: "yes"')
        .replace("path: stacks", "path: ../elsewhere")
        .replace("    type: swarm\n", ""),
    );
    expect(message).toContain("targets[0].prune");
    expect(message).toContain("targets[0].path: must be a path inside the repository");
    expect(message).toContain("targets[0].type");
  });

  it("requires exactly one auth method", () => {
    expect(errorOf(VALID.replace("auth: { tokenEnv: PLATFORM_GIT_TOKEN }", "auth: {}"))).toContain(
      "sources[0].auth: set tokenEnv (HTTPS) or sshKeyFileEnv (SSH)",
    );
  });

  it("reports malformed YAML with its line", () => {
    expect(errorOf("sources: [\n  - name: x\n")).toMatch(/croncd\.yaml:\d+/);
  });

  it("rejects duplicate names", () => {
    const doubled = VALID.replace("targets:", "  - name: platform\n    url: /x\ntargets:");
    expect(errorOf(doubled)).toContain('sources[1].name: duplicate source name "platform"');
  });

  it("refuses refs git could read as an option or that no branch can have", () => {
    expect(errorOf(VALID.replace("ref: main", 'ref: "--upload-pack=touch /tmp/x"'))).toContain(
      "sources[0].ref: is not a valid branch, tag or commit name",
    );
    expect(errorOf(VALID.replace("ref: main", 'ref: "main..other"'))).toContain("sources[0].ref");
    expect(parseConfig(VALID.replace("ref: main", "ref: release/v1.2"), "croncd.yaml").sources[0]?.ref).toBe(
      "release/v1.2",
    );
  });
});
