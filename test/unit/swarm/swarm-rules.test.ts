// What Swarm refuses or breaks although docker's reader accepts the file: names, images, and
// bind mounts relative to a checkout that only exists on the CI runner.
import { describe, expect, it } from "vitest";
import { deprecatedSyntaxWarnings } from "../../../src/targets/swarm/deprecated-syntax.js";
import { ignoredOptionWarnings } from "../../../src/targets/swarm/ignored-options.js";
import { swarmRuleIssues } from "../../../src/targets/swarm/swarm-rules.js";

const STACK = "shop";
const check = (document: Record<string, unknown>) => swarmRuleIssues(document, STACK);
const service = (extra: Record<string, unknown>) => ({ services: { web: { image: "nginx", ...extra } } });

describe("images", () => {
  it("refuses build: without image:, saying docker stack deploy does not build", () => {
    expect(check({ services: { web: { build: "." } } })).toEqual([
      {
        path: ["services", "web"],
        message: expect.stringMatching(
          /^has build: but no image: docker stack deploy does not build images/,
        ) as string,
      },
    ]);
  });

  it.each([{}, { image: "" }, { image: "  " }])("refuses a service without an image (%j)", (fields) => {
    expect(check({ services: { web: fields } })[0]?.message).toMatch(/^has no image/);
  });

  it.each([
    "nginx",
    "nginx:1.27-alpine",
    "docker.io/bitnami/redis:7.4",
    "localhost:5000/team/app:v1",
    "Registry.Example.com/app",
    "[::1]:5000/app",
    `app@sha256:${"a".repeat(64)}`,
    `app:v1@sha256:${"b".repeat(64)}`,
    "f".repeat(64),
  ])("accepts the image reference %j", (image) => {
    expect(check({ services: { web: { image } } })).toEqual([]);
  });

  it.each([
    "MyImage",
    "nginx:",
    "nginx:my tag",
    ":latest",
    "team//app",
    "-app",
    "app@sha256:short",
    `${"a".repeat(256)}`,
  ])("refuses the image reference %j", (image) => {
    const [issue, ...rest] = check({ services: { web: { image } } });
    expect(rest).toEqual([]);
    expect(issue?.path).toEqual(["services", "web", "image"]);
    expect(issue?.message).toContain("is not an image reference docker stack deploy accepts");
  });

  it("accepts build: next to image: (docker ignores build, with a warning)", () => {
    expect(check(service({ build: "." }))).toEqual([]);
  });
});

describe("names", () => {
  it.each(["web.app", "web-", "web_", "wéb"])(
    "refuses the service name %j, which is not a DNS label",
    (name) => {
      const [issue] = check({ services: { [name]: { image: "nginx" } } });
      expect(issue?.path).toEqual(["services", name]);
      expect(issue?.message).toContain(
        `service name "${STACK}_${name}" is not a DNS label, which Swarm requires`,
      );
    },
  );

  it.each(["web", "Web", "web-2", "web_api", "9web"])("accepts the service name %j", (name) => {
    expect(check({ services: { [name]: { image: "nginx" } } })).toEqual([]);
  });

  it("refuses a full service name longer than 63 characters", () => {
    const name = "a".repeat(63 - STACK.length);
    expect(check({ services: { [name]: { image: "nginx" } } })[0]?.message).toContain(
      "is longer than the 63 characters Swarm allows",
    );
    expect(check({ services: { [name.slice(1)]: { image: "nginx" } } })).toEqual([]);
  });

  it("checks the names of networks the stack creates, not of external ones", () => {
    const networks = {
      front: { name: "front.net" },
      back: {},
      shared: { external: true, name: "shared.net" },
    };
    expect(check({ ...service({}), networks })).toEqual([
      {
        path: ["networks", "front"],
        message: expect.stringContaining('network name "front.net" is not a DNS label') as string,
      },
    ]);
  });

  it("checks explicit names of local volumes with the local driver's rule", () => {
    const volumes = {
      data: {},
      named: { name: "shop-data.v1" },
      spaced: { name: "shop data" },
      short: { name: "a" },
      plugin: { driver: "rexray", name: "any/name" },
      shared: { external: true, name: "not checked" },
    };
    expect(check({ ...service({}), volumes }).map((issue) => issue.path)).toEqual([
      ["volumes", "spaced"],
      ["volumes", "short"],
    ]);
  });

  it("checks config and secret names with Swarm's own rule for them", () => {
    const configs = {
      ok: { file: "a", name: "site.conf-v1" },
      bad: { file: "a", name: "-site" },
      ext: { external: true, name: "-x" },
    };
    const secrets = { long: { file: "a", name: "s".repeat(65) } };
    expect(check({ ...service({}), configs, secrets }).map((issue) => issue.path)).toEqual([
      ["configs", "bad"],
      ["secrets", "long"],
    ]);
  });
});

describe("relative bind mounts", () => {
  it.each([
    "./data:/data",
    "../shared:/shared",
    ".:/app",
    "~/cache:/cache:ro",
    "./nginx.conf:/etc/nginx/nginx.conf:ro",
  ])("refuses %j, resolved on the CI runner", (volume) => {
    const [issue, ...rest] = check(service({ volumes: [volume] }));
    expect(rest).toEqual([]);
    expect(issue?.path).toEqual(["services", "web", "volumes", 0]);
    expect(issue?.message).toContain("is relative: docker stack deploy resolves it on the CI runner");
    expect(issue?.message).toContain("Swarm config or secret");
    expect(issue?.message).toContain("named volume");
  });

  it("refuses the long syntax with a relative source", () => {
    const volumes = [
      { type: "bind", source: "data", target: "/data" },
      { type: "bind", source: "/srv", target: "/srv" },
    ];
    expect(check(service({ volumes })).map((issue) => issue.path)).toEqual([
      ["services", "web", "volumes", 0],
    ]);
  });

  it.each([
    "/srv/data:/data",
    "data:/data",
    "/anonymous",
    "C:\\data:/data",
    { type: "volume", source: "./x", target: "/x" },
  ])("accepts %j", (volume) => {
    // The named volumes are declared: an undeclared one is refused for that (service-references).
    const declared = { volumes: { data: {}, "./x": {} } };
    expect(check({ ...service({ volumes: [volume] }), ...declared })).toEqual([]);
  });
});

describe("options docker stack deploy ignores", () => {
  it("warns once per option, naming the services and what Swarm does instead", () => {
    const warnings = ignoredOptionWarnings({
      web: { image: "a", build: ".", restart: "always", container_name: "web" },
      api: { image: "b", restart: "on-failure" },
      db: { image: "c", deploy: { replicas: 1 } },
    });
    expect(warnings).toEqual([
      "docker stack deploy ignores build (services web): Swarm runs image:, build it in CI",
      "docker stack deploy ignores restart (services web, api): use deploy.restart_policy",
      "docker stack deploy ignores container_name (services web): Swarm names containers itself",
    ]);
  });
});

describe("syntax docker stack deploy warns about", () => {
  it("warns about external.name, with the form to use instead", () => {
    const document = {
      networks: { proxy: { external: { name: "traefik-public" } }, own: {} },
      secrets: { token: { external: true, name: "token-v2" } },
    };
    expect(deprecatedSyntaxWarnings(document)).toEqual([
      "networks.proxy: external.name is deprecated in docker stack deploy: write name: traefik-public and external: true",
    ]);
  });
});
