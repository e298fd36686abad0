import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { workspacePath, type WorkflowCheckout } from "../../../action/checkout-paths.js";

describe("workspacePath: an entry's location as a path GitHub can link", () => {
  let workspace: string;
  let checkout: WorkflowCheckout;
  const location = { file: "stacks/web/compose.yaml", line: 3 };

  beforeAll(async () => {
    workspace = await mkdtemp(path.join(tmpdir(), "croncd-ws-"));
    await mkdir(path.join(workspace, "stacks/web"), { recursive: true });
    await writeFile(path.join(workspace, "stacks/web/compose.yaml"), "services: {}\n");
    checkout = { workspace, serverUrl: "https://github.com", repository: "acme/platform-config" };
  });

  afterAll(async () => {
    await rm(workspace, { recursive: true, force: true });
  });

  it("keeps the path when the source is the workspace itself, from a config in a subfolder", () => {
    const source = { url: "..", configDir: path.join(workspace, "deploy") };
    expect(workspacePath(location, source, checkout)).toBe("stacks/web/compose.yaml");
  });

  it("keeps the path when the source is a file:// URL of the workspace", () => {
    const source = { url: pathToFileURL(workspace).href, configDir: workspace };
    expect(workspacePath(location, source, checkout)).toBe("stacks/web/compose.yaml");
  });

  it.each([
    "https://github.com/acme/platform-config.git",
    "https://github.com/Acme/Platform-Config",
    "git@github.com:acme/platform-config.git",
    "ssh://git@github.com/acme/platform-config.git",
  ])("keeps the path when the source URL %s is the workflow's own repository", (url) => {
    expect(workspacePath(location, { url, configDir: workspace }, checkout)).toBe("stacks/web/compose.yaml");
  });

  it.each(["https://github.com/acme/other-config.git", "git@gitlab.example.com:acme/platform-config.git"])(
    "drops the path when the source %s is another repository",
    (url) => {
      expect(workspacePath(location, { url, configDir: workspace }, checkout)).toBeUndefined();
    },
  );

  it("drops the path when the workspace does not have that file (the source is at another commit)", () => {
    const source = { url: ".", configDir: workspace };
    expect(workspacePath({ file: "stacks/gone/compose.yaml" }, source, checkout)).toBeUndefined();
  });

  it("drops a local source outside the workspace", () => {
    const source = { url: "../elsewhere", configDir: workspace };
    expect(workspacePath(location, source, checkout)).toBeUndefined();
  });
});
