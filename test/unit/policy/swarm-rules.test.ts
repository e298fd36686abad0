// Each rule of a Swarm target's policy against the rendered compose document: the forms a
// tenant can write the same thing in (short and long syntax, units, spellings of a path or an
// image name) must all be judged alike.
import { describe, expect, it } from "vitest";
import { policySchema, type Policy } from "../../../src/targets/policy-schema.js";
import { policyViolations } from "../../../src/targets/swarm/policy/index.js";
import { memoryBytes } from "../../../src/targets/swarm/policy/units.js";

const policy = (rules: Record<string, unknown> = {}): Policy => policySchema.parse(rules);

/** The rule-named messages for one service `web` built from `service`. */
function check(
  service: Record<string, unknown>,
  rules: Record<string, unknown> = {},
  extra: Record<string, unknown> = {},
) {
  const document = {
    services: { web: { image: "registry.example.com/team-a/web:1", ...service } },
    ...extra,
  };
  return policyViolations(document, policy(rules), "team-a-web").map((issue) => ({
    path: issue.path.join("."),
    message: issue.message,
  }));
}

const rulesOf = (violations: { message: string }[]) => violations.map((v) => v.message.split(":")[0]);

describe("Swarm tenant policy", () => {
  it("passes a compliant service under an empty policy", () => {
    expect(check({})).toEqual([]);
  });

  describe("stackPrefix", () => {
    it("refuses a stack whose folder lacks the prefix and says how to rename it", () => {
      const violations = policyViolations({ services: {} }, policy({ stackPrefix: "team-a-" }), "web");
      expect(violations).toEqual([
        {
          path: [],
          message: 'policy.stackPrefix: stack "web" must be named team-a-…: rename its folder to team-a-web',
        },
      ]);
    });
    it("accepts a stack that carries it", () => {
      expect(policyViolations({ services: {} }, policy({ stackPrefix: "team-a-" }), "team-a-web")).toEqual(
        [],
      );
    });
  });

  describe("host access", () => {
    it("refuses privileged, host network, host PID/IPC and devices, one violation each", () => {
      const violations = check({
        privileged: true,
        network_mode: "host",
        pid: "host",
        ipc: "host",
        devices: ["/dev/fuse:/dev/fuse"],
      });
      expect(violations.map((v) => v.path)).toEqual([
        "services.web.privileged",
        "services.web.network_mode",
        "services.web.pid",
        "services.web.ipc",
        "services.web.devices",
      ]);
      expect(rulesOf(violations)).toEqual([
        "policy.privileged",
        "policy.hostNetwork",
        "policy.hostPid",
        "policy.hostIpc",
        "policy.devices",
      ]);
    });
    it("allows each when the policy does", () => {
      const service = {
        privileged: true,
        network_mode: "host",
        pid: "host",
        ipc: "host",
        devices: ["/dev/fuse"],
      };
      const rules = { privileged: true, hostNetwork: true, hostPid: true, hostIpc: true, devices: true };
      expect(check(service, rules)).toEqual([]);
    });
    it("refuses Swarm's host network joined as an external network, under any key", () => {
      const violations = check(
        { networks: ["outside"] },
        {},
        { networks: { outside: { external: true, name: "host" } } },
      );
      expect(violations.map((v) => v.path)).toEqual(["networks.outside", "services.web.networks"]);
      expect(rulesOf(violations)).toEqual(["policy.hostNetwork", "policy.hostNetwork"]);
    });
    it("refuses the host network named in the older external: {name: host} form, and as the default network", () => {
      expect(
        check({}, {}, { networks: { default: { external: { name: "host" } } } }).map((v) => v.path),
      ).toEqual(["networks.default"]);
    });
    it("refuses a network key host without a name, in the mapping form of networks too", () => {
      const violations = check({ networks: { host: {} } }, {}, { networks: { host: { external: true } } });
      expect(violations).toHaveLength(2);
    });
    it("allows capabilities in the list, whatever their spelling, and refuses the others", () => {
      const violations = check(
        { cap_add: ["cap_net_admin", "NET_BIND_SERVICE", "SYS_ADMIN"] },
        { capAdd: ["NET_ADMIN", "CAP_NET_BIND_SERVICE"] },
      );
      expect(violations).toEqual([
        {
          path: "services.web.cap_add.2",
          message:
            "policy.capAdd: capability SYS_ADMIN is not allowed for this target (allowed: NET_ADMIN, NET_BIND_SERVICE)",
        },
      ]);
    });
    it("refuses any added capability when the list is empty", () => {
      expect(check({ cap_add: ["CHOWN"] })[0]?.message).toContain("none is allowed");
    });
  });

  describe("bindMounts", () => {
    const allowed = { bindMounts: ["/srv/team-a/"] };
    it("allows paths under an allowed folder in short and long syntax", () => {
      expect(
        check(
          { volumes: ["/srv/team-a/data:/data:ro", { type: "bind", source: "/srv/team-a", target: "/a" }] },
          allowed,
        ),
      ).toEqual([]);
    });
    it.each([
      ["a sibling that shares the prefix", "/srv/team-ab/data:/data"],
      ["a climb out with ..", "/srv/team-a/../team-b:/data"],
      ["a climb hidden behind slashes", "/srv/team-a//..//team-b/:/data"],
      ["a relative path", "./data:/data"],
      ["a home path", "~/data:/data"],
      ["a Windows drive", "C:\\data:/data"],
    ])("refuses %s", (_, volume) => {
      expect(rulesOf(check({ volumes: [volume] }, allowed))).toEqual(["policy.bindMounts"]);
    });
    it("refuses a long-syntax bind outside the folders, and any bind when none is allowed", () => {
      expect(
        check({ volumes: [{ type: "bind", source: "/etc", target: "/etc" }] }, allowed)[0]?.message,
      ).toBe('policy.bindMounts: bind mount of host path "/etc" is not allowed (allowed: under /srv/team-a)');
      expect(check({ volumes: ["/srv/team-a:/a"] })[0]?.message).toContain("this target allows none");
    });
    it("leaves named volumes, anonymous volumes and tmpfs alone", () => {
      expect(
        check(
          { volumes: ["data:/data", "/cache", { type: "tmpfs", target: "/tmp" }] },
          {},
          { volumes: { data: {} } },
        ),
      ).toEqual([]);
    });
    it("refuses a local volume whose driver options bind a host folder", () => {
      const violations = check({ volumes: ["sneaky:/data"] }, allowed, {
        volumes: { sneaky: { driver: "local", driver_opts: { type: "none", o: "bind", device: "/etc" } } },
      });
      expect(violations.map((v) => v.path)).toEqual(["volumes.sneaky"]);
    });
  });

  describe("publishedPorts", () => {
    const range = { publishedPorts: { from: 8000, to: 8099 } };
    it("allows ports and ranges within the range, short and long syntax", () => {
      const ports = [
        "8080:80",
        "127.0.0.1:8081:80/udp",
        "8010-8020:80-90",
        "[::1]:8082:80",
        { target: 80, published: 8090, mode: "host" },
        { target: 81, published: "8091-8092" },
      ];
      expect(check({ ports }, range)).toEqual([]);
    });
    it.each([
      ["a port above the range", "9000:80", "port 9000"],
      ["a range that runs past the end", "8090-8110:80-100", "ports 8090-8110"],
      ["a long-syntax host-mode port", { target: 80, published: 22, mode: "host" }, "port 22"],
      ["a target-only port, which Swarm publishes on a port of its own choice", "80", "a port Swarm picks"],
      ["a long-syntax port without published", { target: 80 }, "a port Swarm picks"],
      ["an address with an empty published port", "127.0.0.1::80", "a port Swarm picks"],
    ])("refuses %s", (_, port, shown) => {
      const violations = check({ ports: [port] }, range);
      expect(rulesOf(violations)).toEqual(["policy.publishedPorts"]);
      expect(violations[0]?.message).toContain(shown);
      expect(violations[0]?.message).toContain("allowed: 8000-8099");
    });
    it("refuses every published port when the policy gives no range", () => {
      expect(check({ ports: ["8080:80"] })[0]?.message).toContain("this target allows none");
    });
    it("allows target-only ports when the range covers Swarm's own", () => {
      expect(check({ ports: ["80"] }, { publishedPorts: { from: 30000, to: 32767 } })).toEqual([]);
    });
  });

  describe("placement", () => {
    const rule = {
      placement: { required: ["node.labels.tenant == team-a"], allowed: ["node.role==worker"] },
    };
    it("accepts the required constraint however it is spaced, with an allowed one", () => {
      const deploy = { placement: { constraints: ["node.labels.tenant==team-a", "node.role == worker"] } };
      expect(check({ deploy }, rule)).toEqual([]);
    });
    it("refuses a service without the required constraint", () => {
      expect(check({}, rule)).toEqual([
        {
          path: "services.web",
          message: 'policy.placement: must be placed with the constraint "node.labels.tenant==team-a"',
        },
      ]);
    });
    it("refuses a constraint that is neither required nor allowed", () => {
      const deploy = {
        placement: { constraints: ["node.labels.tenant==team-a", "node.hostname == manager1"] },
      };
      expect(check({ deploy }, rule)).toEqual([
        {
          path: "services.web.deploy.placement.constraints.1",
          message:
            'policy.placement: the constraint "node.hostname == manager1" is not allowed for this target',
        },
      ]);
    });
  });

  describe("images", () => {
    it("normalises Docker Hub names before comparing with prefixes", () => {
      const rules = {
        images: { registries: ["nginx", "docker.io/bitnami/", "registry.example.com/team-a"] },
      };
      for (const image of [
        "nginx",
        "nginx:1.27",
        "library/nginx",
        "docker.io/library/nginx",
        "index.docker.io/library/nginx",
        "bitnami/redis:7",
        "registry.example.com/team-a/web",
      ]) {
        expect(check({ image }, rules), image).toEqual([]);
      }
    });
    it("matches whole path components only, and hosts with their port", () => {
      const rules = { images: { registries: ["registry.example.com/team-a", "localhost:5000"] } };
      expect(check({ image: "registry.example.com/team-ab/web" }, rules)[0]?.message).toBe(
        "policy.images: registry.example.com/team-ab/web is not from an allowed registry (allowed: registry.example.com/team-a, localhost:5000)",
      );
      expect(check({ image: "registry.example.com/team-a-evil/web" }, rules)).toHaveLength(1);
      expect(check({ image: "localhost:5000/app" }, rules)).toEqual([]);
      expect(check({ image: "localhost:5001/app" }, rules)).toHaveLength(1);
      // No host: a Docker Hub image, whatever its first component looks like.
      expect(check({ image: "nginx" }, rules)).toHaveLength(1);
    });
    it("requires a digest when digestPinned", () => {
      const rules = { images: { digestPinned: true } };
      const digest = `sha256:${"a".repeat(64)}`;
      expect(check({ image: `registry.example.com/team-a/web@${digest}` }, rules)).toEqual([]);
      expect(check({ image: `registry.example.com/team-a/web:1@${digest}` }, rules)).toEqual([]);
      expect(check({ image: "registry.example.com/team-a/web:1" }, rules)[0]?.message).toContain(
        "not pinned by digest",
      );
    });
  });

  describe("resources", () => {
    const rules = {
      resources: { requireMemoryLimit: true, requireCpuLimit: true, maxMemory: "1G", maxCpus: 1.5 },
    };
    const within = { limits: { memory: "1024M", cpus: "1.5" }, reservations: { memory: "512m", cpus: 0.5 } };
    it("accepts limits within the caps in docker's units", () => {
      expect(check({ deploy: { resources: within } }, rules)).toEqual([]);
    });
    it("requires both limits", () => {
      expect(check({}, rules).map((v) => v.message)).toEqual([
        "policy.resources: sets no memory limit (deploy.resources.limits.memory), which this target requires",
        "policy.resources: sets no CPU limit (deploy.resources.limits.cpus), which this target requires",
      ]);
    });
    it("caps limits and reservations", () => {
      const resources = { limits: { memory: "1025m", cpus: 2 }, reservations: { memory: "2g", cpus: "1.6" } };
      expect(check({ deploy: { resources } }, rules).map((v) => v.path)).toEqual([
        "services.web.deploy.resources.limits.memory",
        "services.web.deploy.resources.limits.cpus",
        "services.web.deploy.resources.reservations.memory",
        "services.web.deploy.resources.reservations.cpus",
      ]);
    });
    it("reads memory sizes as docker does (binary multiples)", () => {
      expect(memoryBytes("512M")).toBe(512 * 1024 ** 2);
      expect(memoryBytes("512mb")).toBe(512 * 1024 ** 2);
      expect(memoryBytes("1.5g")).toBe(1.5 * 1024 ** 3);
      expect(memoryBytes("2 GiB")).toBe(2 * 1024 ** 3);
      expect(memoryBytes(1048576)).toBe(1048576);
      expect(memoryBytes("lots")).toBeUndefined();
    });
  });

  it("lists every violation of the stack at once", () => {
    const violations = policyViolations(
      { services: { a: { image: "nginx", privileged: true }, b: { image: "nginx", ports: ["80:80"] } } },
      policy({ stackPrefix: "team-a-" }),
      "web",
    );
    expect(rulesOf(violations.map((v) => ({ message: v.message })))).toEqual([
      "policy.stackPrefix",
      "policy.privileged",
      "policy.publishedPorts",
    ]);
  });
});
