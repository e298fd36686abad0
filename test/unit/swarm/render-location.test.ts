// A stack that fails to render says where its cause sits, as data (file relative to the config
// repository, 1-based line), so CI annotations can point at that line.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { locationOf } from "../../../src/errors.js";
import type { SourceLocation } from "../../../src/model/changeset.js";
import { sopsFixture } from "../../helpers/sops-fixtures.js";
import { renderShop } from "./render-shop.js";

describe("render failures carry where their cause sits", () => {
  let repo: string;

  beforeEach(async () => {
    repo = await mkdtemp(path.join(tmpdir(), "croncd-render-location-"));
  });

  afterEach(async () => {
    await rm(repo, { recursive: true, force: true });
  });

  async function failureLocation(
    files: Record<string, string | Buffer>,
  ): Promise<SourceLocation | undefined> {
    return renderShop(repo, files).then(
      () => {
        throw new Error("rendered without error");
      },
      (error: unknown) => locationOf(error),
    );
  }

  const COMPOSE = "stacks/shop/compose.yaml";

  it("a YAML syntax error: the compose file and the parser's line", async () => {
    expect(await failureLocation({ "compose.yaml": 'services:\n  web:\n    image: "nginx\n' })).toEqual({
      file: COMPOSE,
      line: 4,
    });
  });

  it("a required variable with no value: the line of the value that uses it", async () => {
    const compose =
      "services:\n  web:\n    image: nginx\n    environment:\n      DB_URL: ${DB_URL:?set it}\n";
    expect(await failureLocation({ "compose.yaml": compose })).toEqual({ file: COMPOSE, line: 5 });
  });

  it("a broken .env line, and a required variable inside .env: the .env file and its line", async () => {
    const compose = "services:\n  web:\n    image: nginx\n";
    expect(await failureLocation({ "compose.yaml": compose, ".env": "A=1\nB='unterminated\n" })).toEqual({
      file: "stacks/shop/.env",
      line: 2,
    });
    expect(
      await failureLocation({ "compose.yaml": compose, ".env": "A=1\n\nC=${MISSING:?needed}\n" }),
    ).toEqual({ file: "stacks/shop/.env", line: 3 });
  });

  it("a problem docker stack deploy would refuse: the line of the first problem", async () => {
    const compose = "services:\n  web:\n    image: nginx\n  api:\n    image: nginx\n    profiles: [debug]\n";
    expect(await failureLocation({ "compose.yaml": compose })).toEqual({ file: COMPOSE, line: 6 });
  });

  it("a file reference that leaves the repository: the line of the file: key", async () => {
    const compose =
      "services:\n  web:\n    image: nginx\n    configs: [site]\nconfigs:\n  site:\n    file: ../../../etc/passwd\n";
    expect(await failureLocation({ "compose.yaml": compose })).toEqual({ file: COMPOSE, line: 7 });
  });

  it("an unknown x-croncd option: the line of x-croncd", async () => {
    const compose = "services:\n  web:\n    image: nginx\nx-croncd:\n  prnue: false\n";
    expect(await failureLocation({ "compose.yaml": compose })).toEqual({ file: COMPOSE, line: 4 });
  });

  it("a sops file croncd has no key for: the sops file", async () => {
    const compose = "services:\n  web:\n    image: nginx\n";
    const sealed = await sopsFixture("humphd-sops-age/secret.enc.env");
    expect(await failureLocation({ "compose.yaml": compose, "app.sops.env": sealed })).toEqual({
      file: "stacks/shop/app.sops.env",
    });
  });
});
