import { describe, expect, it } from "vitest";
import { RenderError } from "../../../src/errors.js";
import { formatSchemaIssues, validateCompose } from "../../../src/compose/schema.js";
import { formatPath } from "../../../src/util/field-path.js";
import type { SchemaIssue } from "../../../src/compose/schema.js";
import { parseYamlFile } from "../../../src/compose/yaml-source.js";

const FILE = "stacks/web/compose.yaml";

const VALID_STACK = `
x-common: &common
  restart: unless-stopped
  logging:
    driver: json-file
    options:
      max-size: 10m
  x-team: platform

services:
  proxy:
    <<: *common
    image: nginx:1.27-alpine
    ports:
      - "80:80"
      - "127.0.0.1:8443:443/tcp"
      - "[::1]:5353:53/udp"
      - "9090-9091:8080-8081"
      - 8000
      - target: 8080
        published: 8080
        protocol: tcp
        mode: host
    configs:
      - source: nginx_conf
        target: /etc/nginx/nginx.conf
        mode: 0440
      - site_conf
    secrets:
      - tls_key
      - source: tls_cert
        target: cert.pem
        uid: "101"
        gid: "101"
    networks:
      front:
        aliases: [proxy, www]
      back: {}
    environment:
      - TZ=UTC
      - NGINX_ENTRYPOINT_QUIET_LOGS=1
    healthcheck:
      test: ["CMD", "wget", "-q", "-O-", "http://localhost/health"]
      interval: 30s
      timeout: 5s
      retries: 3
      start_period: 1m30s
    stop_grace_period: 20s
    deploy:
      mode: replicated
      replicas: 2
      endpoint_mode: vip
      labels:
        traefik.enable: "true"
      update_config:
        parallelism: 1
        delay: 10s
        failure_action: rollback
        monitor: 30s
        max_failure_ratio: 0.1
        order: start-first
      rollback_config:
        parallelism: 0
        order: stop-first
      restart_policy:
        condition: on-failure
        delay: 5s
        max_attempts: 3
        window: 2m
      placement:
        constraints:
          - node.role == worker
          - node.labels.zone == edge
        preferences:
          - spread: node.labels.zone
        max_replicas_per_node: 1
      resources:
        limits:
          cpus: "0.50"
          memory: 256M
        reservations:
          cpus: "0.25"
          memory: 64M
      x-note: scaled by hand
  app:
    <<: *common
    image: registry.example.com/app:2.4.1
    command: ["serve", "--port", "8080"]
    env_file:
      - app.env
    environment:
      LOG_LEVEL: info
      WORKERS: 4
      EMPTY:
    volumes:
      - data:/var/lib/app
      - type: volume
        source: cache
        target: /cache
        volume:
          nocopy: true
      - type: tmpfs
        target: /tmp
        tmpfs:
          size: 64000000
    networks:
      - back
    deploy:
      mode: global
      placement:
        constraints: [node.platform.os == linux]
    x-backup: nightly

configs:
  nginx_conf:
    file: ./nginx.conf
    template_driver: golang
  site_conf:
    external: true
    name: site_conf_v3

secrets:
  tls_key:
    file: ./secrets/tls.key
  tls_cert:
    external: true
  db_password:
    name: db_password_v2
    file: ./secrets/db_password.txt
    labels:
      com.example.rotated: "2026-01"

networks:
  front:
    driver: overlay
    attachable: true
    driver_opts:
      encrypted: ""
  back:
    driver: overlay
    internal: true
    ipam:
      config:
        - subnet: 10.20.0.0/24
  ingress_net:
    external: true
    name: ingress

volumes:
  data:
    driver: local
  cache: {}

x-owner: platform-team
x-deploy-policy:
  auto: true
`;

function issuesOf(text: string): SchemaIssue[] {
  return validateCompose(parseYamlFile(text, FILE).value);
}

/** Validates `text`, expects exactly one issue and returns its formatted line. */
function singleIssueLine(text: string): string {
  const parsed = parseYamlFile(text, FILE);
  const issues = validateCompose(parsed.value);
  expect(issues).toHaveLength(1);
  const lines = formatSchemaIssues(issues, parsed).message.split("\n");
  expect(lines).toHaveLength(2);
  return (lines[1] ?? "").trim();
}

describe("validateCompose", () => {
  it("accepts a realistic swarm stack with deploy, configs, secrets, overlay networks and x- fields", () => {
    expect(issuesOf(VALID_STACK)).toEqual([]);
  });

  it("accepts a minimal file and gives the same answer on repeated calls", () => {
    const minimal = { services: { web: { image: "nginx" } } };
    expect(validateCompose(minimal)).toEqual([]);
    expect(validateCompose(minimal)).toEqual([]);
    expect(validateCompose({ services: { web: { imgae: "nginx" } } })).toHaveLength(1);
    expect(validateCompose({ services: { web: { imgae: "nginx" } } })).toHaveLength(1);
  });

  it("names an unknown key, suggests the likely key and points at its line", () => {
    const text = "services:\n  web:\n    imgae: nginx\n";
    expect(issuesOf(text)).toEqual([
      { path: ["services", "web"], key: "imgae", message: 'unknown key "imgae" (did you mean "image"?)' },
    ]);
    expect(singleIssueLine(text)).toBe(
      `${FILE}:3: services.web: unknown key "imgae" (did you mean "image"?)`,
    );
  });

  it("does not guess when no known key is close", () => {
    expect(issuesOf("services:\n  web:\n    image: nginx\n    colour: blue\n")).toEqual([
      { path: ["services", "web"], key: "colour", message: 'unknown key "colour"' },
    ]);
  });

  it("flags an unknown top-level key but allows x- extensions", () => {
    const text = "x-anything: {a: 1}\nservces:\n  web:\n    image: nginx\n";
    expect(singleIssueLine(text)).toBe(
      `${FILE}:2: (top level): unknown key "servces" (did you mean "services"?)`,
    );
  });

  it("explains an invalid service name", () => {
    const text = "services:\n  web:\n    image: nginx\n  web app:\n    image: nginx\n";
    expect(singleIssueLine(text)).toBe(
      `${FILE}:4: services: invalid name "web app": must match ^[a-zA-Z0-9._-]+$`,
    );
  });

  it("reports a wrong type with the expected type and the value found", () => {
    const text = "services:\n  web:\n    image: nginx\n    deploy:\n      replicas: three\n";
    expect(issuesOf(text)).toEqual([
      { path: ["services", "web", "deploy", "replicas"], message: 'must be integer (got "three")' },
    ]);
    expect(singleIssueLine(text)).toBe(
      `${FILE}:5: services.web.deploy.replicas: must be integer (got "three")`,
    );
  });

  it("reports a mapping where a string is expected", () => {
    const text = "services:\n  web:\n    image:\n      name: nginx\n";
    expect(singleIssueLine(text)).toBe(`${FILE}:3: services.web.image: must be string (got a mapping)`);
  });

  it("collapses oneOf noise for a port of the wrong type into one message", () => {
    const text = "services:\n  web:\n    image: nginx\n    ports:\n      - 80\n      - true\n";
    expect(issuesOf(text)).toEqual([
      { path: ["services", "web", "ports", 1], message: "must be number, string or object (got true)" },
    ]);
    expect(singleIssueLine(text)).toBe(
      `${FILE}:6: services.web.ports[1]: must be number, string or object (got true)`,
    );
  });

  it("reports a malformed port mapping string", () => {
    const text = 'services:\n  web:\n    image: nginx\n    ports:\n      - "8080:http"\n';
    expect(singleIssueLine(text)).toBe(
      `${FILE}:5: services.web.ports[0]: "8080:http" is not a valid port mapping ([ip:][host-port:]container-port[/tcp|udp|sctp])`,
    );
  });

  it("follows the long port syntax when the value is a mapping", () => {
    const text =
      "services:\n  web:\n    image: nginx\n    ports:\n      - target: http\n        published: 80\n";
    expect(singleIssueLine(text)).toBe(
      `${FILE}:5: services.web.ports[0].target: must be integer (got "http")`,
    );
    const typo =
      "services:\n  web:\n    image: nginx\n    ports:\n      - published: 80\n        taget: 8080\n";
    expect(singleIssueLine(typo)).toBe(
      `${FILE}:6: services.web.ports[0]: unknown key "taget" (did you mean "target"?)`,
    );
  });

  it.each([
    "80",
    "8080:80",
    "8080:80/udp",
    "80/tcp",
    "127.0.0.1:8080:80",
    "127.0.0.1::80",
    "[::1]:53:53/udp",
  ])("accepts the port mapping %s", (port) => {
    expect(validateCompose({ services: { web: { image: "nginx", ports: [port] } } })).toEqual([]);
  });

  it.each(["9090-9091:8080-8081", "8000-8010:80", "0.0.0.0:5000-5010:5000-5010", "::1:8080:80"])(
    "accepts the port range or address form %s",
    (port) => {
      expect(validateCompose({ services: { web: { image: "nginx", ports: [port] } } })).toEqual([]);
    },
  );

  it.each(["", "http", "70000:80", "80:80/icmp", "1.2.3:80:80", "8080-8081:80-82", "90-80:80", "80:"])(
    "rejects the port mapping %j",
    (port) => {
      const issues = validateCompose({ services: { web: { image: "nginx", ports: [port] } } });
      expect(issues).toEqual([
        {
          path: ["services", "web", "ports", 0],
          message: `${JSON.stringify(port)} is not a valid port mapping ([ip:][host-port:]container-port[/tcp|udp|sctp])`,
        },
      ]);
    },
  );

  it("checks durations with Go's syntax", () => {
    const ok = {
      services: { web: { image: "nginx", stop_grace_period: "1m30s", healthcheck: { interval: "500ms" } } },
    };
    expect(validateCompose(ok)).toEqual([]);
    const bad = { services: { web: { image: "nginx", stop_grace_period: "30 seconds" } } };
    expect(validateCompose(bad)).toEqual([
      {
        path: ["services", "web", "stop_grace_period"],
        message: '"30 seconds" is not a valid duration (like 10s, 1m30s, 500ms)',
      },
    ]);
  });

  it("lists the allowed values of an enum", () => {
    const text =
      "services:\n  web:\n    image: nginx\n    deploy:\n      update_config:\n        order: start\n";
    expect(singleIssueLine(text)).toBe(
      `${FILE}:6: services.web.deploy.update_config.order: must be one of "start-first", "stop-first" (got "start")`,
    );
  });

  it("reports the value inside a list-or-mapping rather than the alternatives", () => {
    const text = "services:\n  web:\n    image: nginx\n    environment:\n      FOO: [1, 2]\n";
    expect(singleIssueLine(text)).toBe(
      `${FILE}:5: services.web.environment.FOO: must be string, number, boolean or null (got a list)`,
    );
  });

  it("reports a missing required key", () => {
    const text =
      "services:\n  web:\n    image: nginx\n    volumes:\n      - source: data\n        target: /data\n";
    expect(singleIssueLine(text)).toBe(`${FILE}:5: services.web.volumes[0]: missing required key "type"`);
  });

  it("reports duplicate list entries", () => {
    const text = "services:\n  web:\n    image: nginx\n    ports:\n      - 80:80\n      - 80:80\n";
    expect(singleIssueLine(text)).toBe(
      `${FILE}:4: services.web.ports: lists the same entry twice (items 0 and 1)`,
    );
  });

  it("reports a document that is not a mapping", () => {
    expect(validateCompose(["services"])).toEqual([{ path: [], message: "must be object (got a list)" }]);
  });

  it("quotes keys that are not plain identifiers in paths", () => {
    const text = "services:\n  web:\n    image: nginx\n    labels:\n      com.example.team: {name: a}\n";
    expect(singleIssueLine(text)).toBe(
      `${FILE}:5: services.web.labels["com.example.team"]: must be string, number, boolean or null (got a mapping)`,
    );
  });
});

describe("formatSchemaIssues", () => {
  it("lists every issue as file:line: path: message, in file order", () => {
    const text = [
      "services:", // 1
      "  web:", // 2
      "    image: 42", // 3
      "    ports:", // 4
      "      - true", // 5
      "    deploy:", // 6
      "      replicas: two", // 7
      "  db:", // 8
      "    imgae: postgres", // 9
      "",
    ].join("\n");
    const parsed = parseYamlFile(text, FILE);
    const error = formatSchemaIssues(validateCompose(parsed.value), parsed);
    expect(error).toBeInstanceOf(RenderError);
    expect(error.subject).toBe(FILE);
    expect(error.message).toBe(
      [
        `${FILE}: does not match the Compose file format (4 problems):`,
        `  ${FILE}:3: services.web.image: must be string (got 42)`,
        `  ${FILE}:5: services.web.ports[0]: must be number, string or object (got true)`,
        `  ${FILE}:7: services.web.deploy.replicas: must be integer (got "two")`,
        `  ${FILE}:9: services.db: unknown key "imgae" (did you mean "image"?)`,
      ].join("\n"),
    );
  });

  it("points at the anchor when the bad value comes from a merge key", () => {
    const text = [
      "x-defaults: &defaults", // 1
      "  deploy:", // 2
      "    replicas: many", // 3
      "services:", // 4
      "  web:", // 5
      "    <<: *defaults", // 6
      "    image: nginx", // 7
      "",
    ].join("\n");
    expect(singleIssueLine(text)).toBe(
      `${FILE}:3: services.web.deploy.replicas: must be integer (got "many")`,
    );
  });

  it("uses the closest existing line for a missing key and omits the line when there is none", () => {
    const parsed = parseYamlFile("services:\n  web:\n    image: nginx\n", FILE);
    const error = formatSchemaIssues(
      [
        { path: ["services", "web", "deploy"], message: "example" },
        { path: [], message: "first" },
      ],
      { ...parsed, lineOf: (path) => (path.length === 0 ? undefined : parsed.lineOf(path)) },
    );
    expect(error.message.split("\n").slice(1)).toEqual([
      `  ${FILE}:2: services.web.deploy: example`,
      `  ${FILE}: (top level): first`,
    ]);
  });

  it("caps a very long list", () => {
    const services = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`s${i}`, { image: i }]));
    const issues = validateCompose({ services });
    expect(issues).toHaveLength(30);
    const parsed = parseYamlFile("services: {}\n", FILE);
    const lines = formatSchemaIssues(issues, parsed).message.split("\n");
    expect(lines).toHaveLength(1 + 25 + 1);
    expect(lines.at(-1)).toBe("  ... and 5 more");
    expect(lines[0]).toBe(`${FILE}: does not match the Compose file format (30 problems):`);
  });
});

describe("formatPath", () => {
  it("renders keys, indexes and quoted odd keys", () => {
    expect(formatPath([])).toBe("(top level)");
    expect(formatPath(["services", "web", "ports", 0, "target"])).toBe("services.web.ports[0].target");
    expect(formatPath(["services", "web.v2", "labels", "a b"])).toBe('services["web.v2"].labels["a b"]');
  });
});

describe("fields docker stack deploy accepts beyond the bundled schema", () => {
  it("accepts pids limits, healthcheck start_interval, cgroupns_mode and per-network driver_opts", () => {
    const document = {
      services: {
        web: {
          image: "busybox",
          cgroupns_mode: "private",
          healthcheck: { test: ["CMD", "true"], start_interval: "2s" },
          networks: { backend: { driver_opts: { "com.docker.network.bridge.name": "br0" } } },
          deploy: { resources: { limits: { pids: 100 } } },
        },
      },
      networks: { backend: {} },
    };
    expect(validateCompose(document)).toEqual([]);
    const wrong = structuredClone(document);
    wrong.services.web.deploy.resources.limits.pids = "many" as unknown as number;
    expect(validateCompose(wrong).map((issue) => issue.path.join("."))).toContain(
      "services.web.deploy.resources.limits.pids",
    );
  });
});

describe("values from interpolation in messages", () => {
  it("names an interpolated value instead of showing it, and still shows literal ones", () => {
    const source = `services:\n  web:\n    image: x\n    healthcheck:\n      interval: "\${SECRET}"\n      timeout: soon\n`;
    const parsed = parseYamlFile(source, FILE);
    const document = {
      services: { web: { image: "x", healthcheck: { interval: "hunter2-hunter2", timeout: "soon" } } },
    };
    const message = formatSchemaIssues(validateCompose(document), parsed, document).message;
    expect(message).not.toContain("hunter2");
    expect(message).toContain("the interpolated value is not a valid duration");
    expect(message).toContain('"soon" is not a valid duration');
  });
});
