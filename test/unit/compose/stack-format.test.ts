// The rules of docker's stack loader: which Compose file format a `version:` selects, which keys
// each format allows, keys only docker compose knows, and values docker reads more narrowly.
import { describe, expect, it } from "vitest";
import type { SchemaIssue } from "../../../src/compose/schema.js";
import { validateStackFormat } from "../../../src/compose/stack-format/check.js";

const OPTIONS = { ownTopLevelKeys: ["x-croncd", "name"] };

function check(document: Record<string, unknown>): SchemaIssue[] {
  return validateStackFormat(document, OPTIONS);
}

const web = (extra: Record<string, unknown> = {}) => ({ web: { image: "nginx", ...extra } });

describe("version:", () => {
  it.each([undefined, "3", "", "3.0", "3.3", "3.13"])("accepts %j", (version) => {
    expect(check({ ...(version === undefined ? {} : { version }), services: web() })).toEqual([]);
  });

  it.each([
    ["2", /Compose file format "2" is for docker compose; docker stack deploy reads format 3 only/],
    ["2.4", /"2.4" is for docker compose/],
    ["1", /"1" is for docker compose/],
    ["3.14", /unsupported Compose file format "3.14": docker stack deploy reads 3.0 to 3.13/],
    ["3.05", /unsupported Compose file format "3.05"/],
    ["4", /unsupported Compose file format "4"/],
  ])("refuses %j", (version, message) => {
    const [issue, ...rest] = check({ version, services: web() });
    expect(rest).toEqual([]);
    expect(issue?.path).toEqual(["version"]);
    expect(issue?.message).toMatch(message);
    expect(issue?.message).toContain("remove the version: line");
  });

  it.each([3.8, 3, null])("refuses %j, which is not a string", (version) => {
    expect(check({ version, services: web() })).toEqual([
      { path: ["version"], message: expect.stringMatching(/^must be a string: quote it/) as string },
    ]);
  });
});

describe("keys by format version", () => {
  it("refuses name: on a config before 3.5, and says how to fix it", () => {
    const document = {
      version: "3.3",
      services: web(),
      configs: { site: { file: "./site.conf", name: "site" } },
    };
    expect(check(document)).toEqual([
      {
        path: ["configs", "site"],
        key: "name",
        message:
          '"name" needs Compose file format 3.5 or newer, and this file declares version "3.3": raise version: to "3.5" or later, or remove the version: line',
      },
    ]);
    expect(check({ ...document, version: "3.5" })).toEqual([]);
  });

  it.each([
    ["configs at the top level", { configs: {} }, "3.2", "3.3"],
    ["secrets at the top level", { secrets: {} }, "3.0", "3.1"],
    ["start_period", { services: web({ healthcheck: { start_period: "5s" } }) }, "3.3", "3.4"],
    [
      "rollback_config",
      { services: web({ deploy: { rollback_config: { order: "start-first" } } }) },
      "3.6",
      "3.7",
    ],
    ["long-syntax ports", { services: web({ ports: [{ target: 80, published: 8080 }] }) }, "3.1", "3.2"],
    ["init", { services: web({ init: true }) }, "3.6", "3.7"],
    ["pids limits", { services: web({ deploy: { resources: { limits: { pids: 10 } } } }) }, "3.8", "3.9"],
    ["extension fields at the top level", { "x-common": { a: 1 } }, "3.3", "3.4"],
    ["extension fields in a service", { services: web({ "x-team": "a" }) }, "3.6", "3.7"],
    [
      "other build keys, ignored",
      { services: web({ build: { context: ".", ssh: ["default"] } }) },
      "3.10",
      "3.11",
    ],
  ])("allows %s from %s on", (_, document, before, from) => {
    const base = { services: web(), ...document };
    expect(check({ ...base, version: before })).not.toEqual([]);
    expect(check({ ...base, version: from })).toEqual([]);
  });

  it("keeps croncd's own top-level keys out of docker's rules", () => {
    expect(check({ version: "3.0", "x-croncd": { prune: true }, name: "web", services: web() })).toEqual([]);
  });

  it("refuses extension fields where docker allows none", () => {
    expect(check({ services: web({ deploy: { "x-note": 1 } }) })).toEqual([
      {
        path: ["services", "web", "deploy"],
        key: "x-note",
        message:
          'extension field "x-note" is not allowed here by docker stack deploy; move it to the top level',
      },
    ]);
  });

  it("accepts any key inside the long syntax of a service's secrets, which docker leaves open", () => {
    expect(check({ services: web({ secrets: [{ source: "a", extra: 1 }] }) })).toEqual([]);
  });
});

describe("names", () => {
  it.each(["services", "volumes", "configs", "secrets"])(
    "refuses %s named outside [a-zA-Z0-9._-]",
    (section) => {
      const document: Record<string, unknown> = {
        services: web(),
        [section]: { "my thing": { external: true } },
      };
      if (section === "services") document.services = { "my thing": { image: "nginx" } };
      expect(check(document)).toContainEqual({
        path: [section],
        key: "my thing",
        message: `invalid name "my thing": docker stack deploy allows letters, digits, '.', '_' and '-'`,
      });
    },
  );
});

describe("keys only docker compose knows", () => {
  it.each([
    ["profiles", ["debug"], /every service of the stack is deployed/],
    ["platform", "linux/arm64", /deploy\.placement\.constraints/],
    ["runtime", "runc", /cannot choose a container runtime/],
    ["extends", { service: "base" }, /YAML anchors/],
    ["mem_limit", "1g", /deploy\.resources/],
    ["cpus", 0.5, /deploy\.resources/],
    ["volumes_from", ["db"], /top-level volumes/],
    ["pull_policy", "always", /resolveImage/],
    ["scale", 2, /deploy\.replicas/],
  ])("refuses %s with what to use instead", (key, value, instead) => {
    const [issue, ...rest] = check({ services: web({ [key]: value }) });
    expect(rest).toEqual([]);
    expect(issue).toMatchObject({ path: ["services", "web"], key });
    expect(issue?.message).toContain(`"${key}" is not supported by docker stack deploy: `);
    expect(issue?.message).toMatch(instead);
  });

  it.each(["constructor", "toString", "__proto__"])(
    "refuses the key %j, which only objects' prototypes have",
    (key) => {
      const service = JSON.parse(`{"image": "nginx", "${key}": 1}`) as Record<string, unknown>;
      expect(check({ services: { web: service } })).toEqual([
        { path: ["services", "web"], key, message: expect.stringMatching(/^unknown key/) as string },
      ]);
    },
  );

  it("suggests the key a typo meant", () => {
    expect(check({ services: web({ imgae: "x" }) })[0]?.message).toBe(
      'unknown key "imgae" (did you mean "image"?)',
    );
    expect(check({ services: web(), configs: { a: { content: "x" } } })[0]?.message).toBe(
      'unknown key "content" (docker stack deploy refuses it)',
    );
  });
});

describe("values docker reads more narrowly", () => {
  it("refuses the long form of depends_on", () => {
    const document = {
      services: { ...web({ depends_on: { db: { condition: "service_healthy" } } }), db: { image: "pg" } },
    };
    expect(check(document)).toEqual([
      {
        path: ["services", "web", "depends_on"],
        message: expect.stringContaining("docker stack deploy refuses the long form of depends_on") as string,
      },
    ]);
    expect(check({ services: { ...web({ depends_on: ["db"] }), db: { image: "pg" } } })).toEqual([]);
  });

  it("refuses cpus as a number, which docker wants quoted", () => {
    const document = {
      services: web({ deploy: { resources: { limits: { cpus: 0.5 }, reservations: { cpus: "0.25" } } } }),
    };
    expect(check(document)).toEqual([
      {
        path: ["services", "web", "deploy", "resources", "limits", "cpus"],
        message: 'docker stack deploy needs a string here: quote it (cpus: "0.5")',
      },
    ]);
  });

  it("refuses the same build.cache_from entry twice", () => {
    const document = { services: web({ build: { context: ".", cache_from: ["a", "b", "a"] } }) };
    expect(check(document)[0]?.path).toEqual(["services", "web", "build", "cache_from"]);
    expect(check({ services: web({ build: { context: ".", cache_from: ["a", "b"] } }) })).toEqual([]);
  });

  it("refuses a tmpfs size with a unit, which docker wants in bytes", () => {
    const document = {
      services: web({ volumes: [{ type: "tmpfs", target: "/t", tmpfs: { size: "64m" } }] }),
    };
    expect(check(document)[0]?.path).toEqual(["services", "web", "volumes", 0, "tmpfs", "size"]);
  });

  it.each([
    [":/media/", /empty part between colons/],
    ["data::ro", /empty part between colons/],
    ["", /empty part between colons/],
  ])("refuses the volume %j", (spec, message) => {
    expect(check({ services: web({ volumes: [spec] }) })[0]?.message).toMatch(message);
  });

  it.each(["data:/data", "/srv:/srv:ro", "/anonymous", "C:\\data:/data"])("accepts the volume %j", (spec) => {
    expect(check({ services: web({ volumes: [spec] }) })).toEqual([]);
  });
});
