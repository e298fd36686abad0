import { describe, expect, it } from "vitest";
import { parseConfig } from "../../../src/config/load.js";
import { configErrorOf } from "../../helpers/config-error.js";

const config = (target: string) => `sources:
  - name: tenants
    url: https://git.example.com/tenants.git
targets:
${target}`;

const SWARM = `  - name: team-a
    type: swarm
    source: tenants
`;
const HELMFILE = `  - name: team-a-k8s
    type: helmfile
    source: tenants
`;

const errorOf = configErrorOf;

describe("policy: in croncd.yaml", () => {
  it("is absent by default: a target without one checks nothing more than before", () => {
    const parsed = parseConfig(config(SWARM), "croncd.yaml");
    expect(parsed.targets[0]).not.toHaveProperty("policy", expect.anything());
  });

  it("forbids host access by default once a policy is given", () => {
    const parsed = parseConfig(config(`${SWARM}    policy: { stackPrefix: team-a- }\n`), "croncd.yaml");
    expect(parsed.targets[0]).toMatchObject({
      policy: {
        stackPrefix: "team-a-",
        privileged: false,
        hostNetwork: false,
        hostPid: false,
        hostIpc: false,
        devices: false,
        bindMounts: [],
        capAdd: [],
      },
    });
  });

  it("refuses a Swarm-only rule on a helmfile target, naming the field and its line", () => {
    const message = errorOf(
      config(`${HELMFILE}    policy:\n      namespaces: [team-a]\n      privileged: true\n`),
    );
    expect(message).toContain(
      "line 10: targets[0].policy.privileged: is not a rule helmfile targets can enforce",
    );
  });

  it("refuses a helmfile-only rule on a Swarm target", () => {
    const message = errorOf(config(`${SWARM}    policy:\n      namespaces: [team-a]\n`));
    expect(message).toContain("targets[0].policy.namespaces: is not a rule swarm targets can enforce");
  });

  it("refuses an unknown rule rather than ignore it", () => {
    expect(errorOf(config(`${SWARM}    policy:\n      privilegd: true\n`))).toContain("privilegd");
  });

  it("refuses a bind mount folder that is not absolute or climbs with ..", () => {
    expect(errorOf(config(`${SWARM}    policy:\n      bindMounts: [srv/data]\n`))).toContain(
      "policy.bindMounts[0]: must be an absolute host path without '..'",
    );
    expect(errorOf(config(`${SWARM}    policy:\n      bindMounts: [/srv/../etc]\n`))).toContain(
      "policy.bindMounts[0]",
    );
  });

  it("refuses a port range that runs backwards and a memory cap docker cannot read", () => {
    expect(
      errorOf(config(`${SWARM}    policy:\n      publishedPorts: { from: 9000, to: 8000 }\n`)),
    ).toContain("from must not be greater than to");
    expect(errorOf(config(`${SWARM}    policy:\n      resources: { maxMemory: lots }\n`))).toContain(
      "policy.resources.maxMemory",
    );
  });
});
