// The render judges a stack as docker stack deploy and Swarm will, before anything is deployed,
// and what it renders is a file docker accepts whatever format version the author declared.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import type { DesiredStack } from "../../../src/targets/swarm/model.js";
import { renderShop } from "./render-shop.js";

describe("render: what docker stack deploy accepts", () => {
  let repo: string;

  beforeEach(async () => {
    repo = await mkdtemp(path.join(tmpdir(), "croncd-render-rules-"));
  });

  afterEach(async () => {
    await rm(repo, { recursive: true, force: true });
  });

  const render = (files: Record<string, string | Buffer>): Promise<DesiredStack> => renderShop(repo, files);

  async function renderError(files: Record<string, string | Buffer>): Promise<string> {
    return render(files).then(
      () => {
        throw new Error("rendered without error");
      },
      (error: unknown) => (error instanceof Error ? error.message : String(error)),
    );
  }

  it("checks a version 3.3 file against 3.3, then renders without version: so the config's name is accepted", async () => {
    const stack = await render({
      "compose.yaml": `version: "3.3"\nservices:\n  web:\n    image: nginx\n    configs: [site]\nconfigs:\n  site:\n    file: ./site.conf\n`,
      "site.conf": "server {}\n",
    });
    const rendered = parse(stack.yaml) as Record<string, { site?: { name?: string } }>;
    expect(rendered).not.toHaveProperty("version");
    expect(stack.document).not.toHaveProperty("version");
    expect(rendered.configs?.site?.name).toMatch(/^shop_site-[0-9a-f]{12}$/);
  });

  it("refuses a key the declared version does not have, with file and line", async () => {
    const message = await renderError({
      "compose.yaml": `version: "3.3"\nservices:\n  web:\n    image: nginx\n    init: true\n`,
    });
    expect(message).toContain(
      'stacks/shop/compose.yaml:5: services.web: "init" needs Compose file format 3.7 or newer, and this file declares version "3.3"',
    );
  });

  it("lists every reason at once, in file order", async () => {
    const message = await renderError({
      "compose.yaml": [
        "services:",
        "  web:",
        "    build: .",
        "    profiles: [debug]",
        "    volumes:",
        "      - ./data:/data",
        "",
      ].join("\n"),
    });
    const lines = message.split("\n");
    expect(lines[0]).toBe("stacks/shop/compose.yaml: cannot be deployed to Swarm (3 problems):");
    expect(lines.slice(1).map((line) => /compose\.yaml:(\d+)/.exec(line)?.[1])).toEqual(["2", "4", "6"]);
  });

  it("refuses invalid UTF-8 in the compose file, naming line and column", async () => {
    const message = await renderError({
      "compose.yaml": Buffer.concat([
        Buffer.from("services:\n  web:\n    image: caf"),
        Buffer.from([0xe9, 0x0a]),
      ]),
    });
    expect(message).toMatch(/^stacks\/shop\/compose\.yaml:3:15: invalid UTF-8 \(byte 0xE9\)/);
  });

  it.each([
    ["an env_file", "app.env", "services:\n  web:\n    image: nginx\n    env_file: app.env\n"],
    ["the stack's .env", ".env", "services:\n  web:\n    image: nginx\n"],
  ])("refuses invalid UTF-8 in %s", async (_, name, compose) => {
    const message = await renderError({
      "compose.yaml": compose,
      [name]: Buffer.concat([Buffer.from("GREETING=ol"), Buffer.from([0xe1, 0x0a])]),
    });
    expect(message).toMatch(
      new RegExp(`^stacks/shop/${name.replace(".", "\\.")}:1:12: invalid UTF-8 \\(byte 0xE1\\)`),
    );
  });

  it("warns about what docker stack deploy ignores and about a top-level name:", async () => {
    const stack = await render({
      "compose.yaml": `name: webshop\nservices:\n  web:\n    image: nginx\n    build: .\n    restart: always\n`,
    });
    expect(stack.warnings).toEqual([
      'top-level name: ignored: the stack is named after its folder ("shop")',
      "docker stack deploy ignores build (services web): Swarm runs image:, build it in CI",
      "docker stack deploy ignores restart (services web): use deploy.restart_policy",
    ]);
  });
});
