import { describe, expect, it } from "vitest";
import { RenderError } from "../../../src/errors.js";
import { parseYamlFile } from "../../../src/compose/yaml-source.js";

const FILE = "stacks/web/compose.yaml";

/** Runs the parser expecting a RenderError and returns it, failing the test otherwise. */
function parseError(text: string): RenderError {
  try {
    parseYamlFile(text, FILE);
  } catch (error) {
    expect(error).toBeInstanceOf(RenderError);
    return error as RenderError;
  }
  throw new Error("expected parseYamlFile to throw");
}

describe("parseYamlFile", () => {
  it("returns the plain value, the document and the file name", () => {
    const parsed = parseYamlFile("services:\n  web:\n    image: nginx:1.27\n", FILE);
    expect(parsed.value).toEqual({ services: { web: { image: "nginx:1.27" } } });
    expect(parsed.file).toBe(FILE);
    expect(parsed.document.errors).toEqual([]);
    expect(parsed.document.toJS()).toEqual(parsed.value);
  });

  it("reports a syntax error with file, line and column and the parser's message", () => {
    const error = parseError('services:\n  web:\n    image: "nginx\n');
    expect(error.subject).toBe(`${FILE}:4:1`);
    expect(error.message).toBe(`${FILE}:4:1: Missing closing "quote`);
  });

  it("reports the line of a bad indentation", () => {
    const error = parseError("services:\n  web:\n    environment:\n      - A=1\n     - B=2\n");
    expect(error.subject).toBe(`${FILE}:5:1`);
    expect(error.message).toContain("A block sequence may not be used as an implicit map key");
  });

  it("rejects tabs used as indentation", () => {
    const error = parseError("services:\n\tweb: {}\n");
    expect(error.message).toBe(`${FILE}:2:1: Tabs are not allowed as indentation`);
  });

  it("rejects a duplicate key and names it", () => {
    const error = parseError("services:\n  web:\n    image: a\n    image: b\n");
    expect(error.subject).toBe(`${FILE}:4:5`);
    expect(error.message).toBe(
      `${FILE}:4:5: Map keys must be unique (key "image" appears twice in the same mapping)`,
    );
  });

  it("rejects a duplicate service name", () => {
    const error = parseError("services:\n  web:\n    image: a\n  web:\n    image: b\n");
    expect(error.subject).toBe(`${FILE}:4:3`);
    expect(error.hint).toBe('key "web" appears twice in the same mapping');
  });

  it("rejects more than one document, pointing at the separator", () => {
    const error = parseError("services: {}\n---\nservices: {}\n");
    expect(error.subject).toBe(`${FILE}:2:1`);
    expect(error.message).toContain("a compose file must contain exactly one YAML document");
    expect(error.hint).toContain("---");
  });

  it("accepts a leading document marker", () => {
    expect(parseYamlFile("---\nservices: {}\n", FILE).value).toEqual({ services: {} });
  });

  it.each([
    ["an empty file", ""],
    ["only whitespace", "  \n\n"],
    ["only comments", "# nothing here yet\n"],
    ["only a document marker", "---\n"],
  ])("rejects %s as an empty compose file", (_label, text) => {
    const error = parseError(text);
    expect(error.subject).toBe(FILE);
    expect(error.message).toMatch(new RegExp(`^${FILE}: empty compose file`));
  });

  it("resolves anchors, aliases and merge keys like docker compose", () => {
    const text = [
      "x-defaults: &defaults",
      "  restart: unless-stopped",
      "  deploy: &deploy",
      "    replicas: 2",
      "x-logging: &logging",
      "  logging:",
      "    driver: json-file",
      "services:",
      "  web:",
      "    <<: [*defaults, *logging]",
      "    image: nginx",
      "    restart: always",
      "  worker:",
      "    <<: *defaults",
      "    image: worker",
      "    deploy: *deploy",
      "",
    ].join("\n");
    const parsed = parseYamlFile(text, FILE);
    expect(parsed.value).toEqual({
      "x-defaults": { restart: "unless-stopped", deploy: { replicas: 2 } },
      "x-logging": { logging: { driver: "json-file" } },
      services: {
        // An explicit key beats the merged one, whatever its position.
        web: { restart: "always", deploy: { replicas: 2 }, logging: { driver: "json-file" }, image: "nginx" },
        worker: { restart: "unless-stopped", deploy: { replicas: 2 }, image: "worker" },
      },
    });
  });

  it("gives the first merge source precedence over later ones", () => {
    const text = "a: &a {x: 1}\nb: &b {x: 2, y: 2}\nc:\n  <<: [*a, *b]\n";
    expect(parseYamlFile(text, FILE).value).toEqual({ a: { x: 1 }, b: { x: 2, y: 2 }, c: { x: 1, y: 2 } });
  });

  it("rejects an alias to an undefined anchor with its position", () => {
    const error = parseError("services:\n  web:\n    deploy: *missing\n");
    expect(error.subject).toBe(`${FILE}:3:13`);
    expect(error.message).toContain('unknown anchor "missing"');
  });

  it("reads YAML 1.2 scalars as docker's go-yaml v3 does", () => {
    const text = [
      "on: yes",
      "off: no",
      "flag: true",
      "mode: 0440",
      "mode12: 0o440",
      "quoted: '0440'",
      "port: 8080:80",
      "time: 1:20",
      "none: ~",
      "",
    ].join("\n");
    expect(parseYamlFile(text, FILE).value).toEqual({
      on: "yes",
      off: "no",
      flag: true,
      // go-yaml v3 keeps YAML 1.1 octal for a leading 0: file modes stay what their author meant.
      mode: 0o440,
      mode12: 0o440,
      quoted: "0440",
      // No YAML 1.1 base-60 numbers: `1:20` is not 80.
      port: "8080:80",
      time: "1:20",
      none: null,
    });
  });

  it("rejects a custom tag docker stack deploy does not understand", () => {
    const error = parseError("services:\n  web:\n    ports: !reset []\n");
    expect(error.subject).toBe(`${FILE}:3:12`);
    expect(error.message).toContain("Unresolved tag: !reset");
  });

  it("rejects a mapping key that is not a string, as docker does", () => {
    const error = parseError("services:\n  web:\n    sysctls:\n      1: x\n");
    expect(error.subject).toBe(`${FILE}:4:7`);
    expect(error.message).toContain("mapping key 1 is not a string");
    expect(error.hint).toBe("quote the key");
  });

  it("turns runaway alias expansion into a RenderError", () => {
    const lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"];
    const names = "bcdefg";
    let previous = "a";
    for (const name of names) {
      lines.push(`${name}: &${name} [${Array(10).fill(`*${previous}`).join(", ")}]`);
      previous = name;
    }
    const error = parseError(lines.join("\n") + "\n");
    expect(error.subject).toBe(FILE);
    expect(error.message).toContain("resource exhaustion");
  });
});

describe("ParsedYaml.lineOf", () => {
  const text = [
    "# stack for the web tier", // 1
    "x-deploy: &deploy", // 2
    "  replicas: 2", // 3
    "  resources:", // 4
    "    limits: {memory: 256M}", // 5
    "services:", // 6
    "  web:", // 7
    "    image: nginx", // 8
    "    ports:", // 9
    "      - 80:80", // 10
    "      - target: 443", // 11
    "        published: 443", // 12
    "    deploy:", // 13
    "      <<: *deploy", // 14
    "      mode: replicated", // 15
    "    healthcheck: &hc", // 16
    "      test: [CMD, true]", // 17
    "  api:", // 18
    "    image: api", // 19
    "    healthcheck: *hc", // 20
    "",
  ].join("\n");
  const parsed = parseYamlFile(text, FILE);

  it("returns the line of a mapping key", () => {
    expect(parsed.lineOf(["services"])).toBe(6);
    expect(parsed.lineOf(["services", "web"])).toBe(7);
    expect(parsed.lineOf(["services", "web", "image"])).toBe(8);
    expect(parsed.lineOf(["services", "api", "image"])).toBe(19);
  });

  it("returns the line of a list item and of keys inside it", () => {
    expect(parsed.lineOf(["services", "web", "ports", 0])).toBe(10);
    expect(parsed.lineOf(["services", "web", "ports", 1])).toBe(11);
    expect(parsed.lineOf(["services", "web", "ports", 1, "published"])).toBe(12);
    expect(parsed.lineOf(["services", "web", "ports", "1", "target"])).toBe(11);
  });

  it("returns the line of the first node for the empty path", () => {
    expect(parsed.lineOf([])).toBe(2);
  });

  it("falls back to the closest existing ancestor", () => {
    expect(parsed.lineOf(["services", "web", "environment"])).toBe(7);
    expect(parsed.lineOf(["services", "web", "ports", 7, "target"])).toBe(9);
    expect(parsed.lineOf(["services", "web", "image", "deeper"])).toBe(8);
    expect(parsed.lineOf(["nothing", "here"])).toBe(2);
  });

  it("prefers an explicit key over a merged one", () => {
    expect(parsed.lineOf(["services", "web", "deploy", "mode"])).toBe(15);
  });

  it("locates merged and aliased values where the anchor defines them", () => {
    expect(parsed.lineOf(["services", "web", "deploy", "replicas"])).toBe(3);
    expect(parsed.lineOf(["services", "web", "deploy", "resources", "limits", "memory"])).toBe(5);
    expect(parsed.lineOf(["services", "api", "healthcheck", "test"])).toBe(17);
    expect(parsed.lineOf(["services", "api", "healthcheck", "test", 1])).toBe(17);
  });
});
