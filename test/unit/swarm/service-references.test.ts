// docker stack deploy converts each service after its reader accepted the file, and refuses
// there what `docker stack config` lets through: a reference to a secret, config, network or
// named volume the file does not declare, and replicas on a global service.
import { describe, expect, it } from "vitest";
import { swarmRuleIssues } from "../../../src/targets/swarm/swarm-rules.js";

const check = (document: Record<string, unknown>) => swarmRuleIssues(document, "shop");
const web = (extra: Record<string, unknown>, top: Record<string, unknown> = {}) => ({
  services: { web: { image: "nginx", ...extra } },
  ...top,
});

describe("references to what the file does not declare", () => {
  it.each([
    ["secrets", { secrets: ["db"] }, ["services", "web", "secrets", 0], /^secret "db" is not declared/],
    [
      "configs",
      { configs: [{ source: "site", target: "/x" }] },
      ["services", "web", "configs", 0],
      /^config "site"/,
    ],
    ["networks (list)", { networks: ["front"] }, ["services", "web", "networks", 0], /^network "front"/],
    [
      "networks (mapping)",
      { networks: { back: { aliases: ["a"] } } },
      ["services", "web", "networks", "back"],
      /^network "back"/,
    ],
    ["short volume", { volumes: ["data:/var/lib:ro"] }, ["services", "web", "volumes", 0], /^volume "data"/],
    [
      "long volume",
      { volumes: [{ type: "volume", source: "data", target: "/d" }] },
      ["services", "web", "volumes", 0],
      /^volume "data"/,
    ],
  ])("refuses undeclared %s, naming where it is used", (_kind, fields, path, message) => {
    const issues = check(web(fields));
    expect(issues).toEqual([{ path, message: expect.stringMatching(message) as string }]);
    expect(issues[0]?.message).toContain("docker stack deploy refuses");
  });

  it("accepts what is declared, external objects included", () => {
    const document = web(
      {
        secrets: ["db"],
        configs: [{ source: "site", target: "/x" }],
        networks: ["front"],
        volumes: ["data:/d", { type: "volume", source: "logs", target: "/l" }],
      },
      {
        secrets: { db: { external: true } },
        configs: { site: { file: "./site.conf" } },
        networks: { front: {} },
        volumes: { data: {}, logs: { external: true } },
      },
    );
    expect(check(document)).toEqual([]);
  });

  it("needs no declaration for the default network, anonymous volumes, tmpfs or absolute binds", () => {
    const document = web({
      networks: ["default"],
      volumes: [
        "/cache",
        "/srv/data:/data",
        { type: "volume", target: "/anon" },
        { type: "tmpfs", target: "/t" },
      ],
    });
    expect(check(document)).toEqual([]);
  });

  it("does not take a key named like an Object method for a declaration", () => {
    expect(check(web({ secrets: ["constructor"] }, { secrets: {} }))).toHaveLength(1);
  });
});

describe("replicas with a global mode", () => {
  it.each(["global", "global-job"])("refuses replicas with mode %s", (mode) => {
    expect(check(web({ deploy: { mode, replicas: 2 } }))).toEqual([
      {
        path: ["services", "web", "deploy", "replicas"],
        message: expect.stringMatching(/^replicas cannot be set with mode: global/) as string,
      },
    ]);
  });

  it.each([undefined, "replicated", "replicated-job"])("accepts replicas with mode %s", (mode) => {
    expect(check(web({ deploy: { ...(mode ? { mode } : {}), replicas: 2 } }))).toEqual([]);
  });
});
