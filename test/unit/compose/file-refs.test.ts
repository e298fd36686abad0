import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RenderError } from "../../../src/errors.js";
import { resolveRepoFile, resolveRepoFolder } from "../../../src/compose/file-refs.js";

const FIELD = "stacks/web/compose.yaml configs.nginx.file";

/*
 * <sandbox>/
 *   repo/                          the repository
 *     shared/common.env
 *     stacks/web/
 *       compose.yaml, nginx.conf, conf.d/ (a folder)
 *       common.env     -> ../../shared/common.env   (symlink that stays inside)
 *       leak.txt       -> <sandbox>/outside/secret.txt
 *       outside-dir    -> <sandbox>/outside          (linked folder)
 *       absolute-in    -> <repo>/shared/common.env   (absolute link, but inside)
 *       dangling       -> ./nope.txt
 *       loop-a <-> loop-b
 *   outside/secret.txt
 *   repo-link -> repo                (the repository reached through a symlink)
 */
let sandbox: string;
let repo: string;
let web: string;

beforeAll(async () => {
  // realpath: the temp folder itself may sit behind a symlink (macOS /var -> /private/var).
  sandbox = await realpath(await mkdtemp(path.join(tmpdir(), "croncd-file-refs-")));
  repo = path.join(sandbox, "repo");
  web = path.join(repo, "stacks", "web");
  await mkdir(path.join(web, "conf.d"), { recursive: true });
  await mkdir(path.join(repo, "shared"), { recursive: true });
  await mkdir(path.join(sandbox, "outside"), { recursive: true });
  await writeFile(path.join(web, "compose.yaml"), "services: {}\n");
  await writeFile(path.join(web, "nginx.conf"), "events {}\n");
  await writeFile(path.join(repo, "shared", "common.env"), "TZ=UTC\n");
  await writeFile(path.join(sandbox, "outside", "secret.txt"), "do not ship\n");
  await symlink("../../shared/common.env", path.join(web, "common.env"));
  await symlink(path.join(sandbox, "outside", "secret.txt"), path.join(web, "leak.txt"));
  await symlink(path.join(sandbox, "outside"), path.join(web, "outside-dir"));
  await symlink(path.join(repo, "shared", "common.env"), path.join(web, "absolute-in"));
  await symlink("./nope.txt", path.join(web, "dangling"));
  await symlink("loop-b", path.join(web, "loop-a"));
  await symlink("loop-a", path.join(web, "loop-b"));
  await symlink(repo, path.join(sandbox, "repo-link"));
});

afterAll(async () => {
  await rm(sandbox, { recursive: true, force: true });
});

function resolve(reference: string, baseDir = web, repoRoot = repo): Promise<string> {
  return resolveRepoFile({ repoRoot, baseDir, reference, field: FIELD });
}

async function rejection(promise: Promise<unknown>): Promise<RenderError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(RenderError);
  const renderError = error as RenderError;
  expect(renderError.subject).toBe(FIELD);
  return renderError;
}

describe("resolveRepoFile", () => {
  it("resolves a file next to the compose file", async () => {
    await expect(resolve("nginx.conf")).resolves.toBe(path.join(web, "nginx.conf"));
    await expect(resolve("./nginx.conf")).resolves.toBe(path.join(web, "nginx.conf"));
  });

  it("allows .. as long as the path stays inside the repository", async () => {
    await expect(resolve("../../shared/common.env")).resolves.toBe(path.join(repo, "shared", "common.env"));
    await expect(resolve("conf.d/../nginx.conf")).resolves.toBe(path.join(web, "nginx.conf"));
  });

  it("follows symlinks that stay inside the repository and returns the real path", async () => {
    await expect(resolve("common.env")).resolves.toBe(path.join(repo, "shared", "common.env"));
    await expect(resolve("absolute-in")).resolves.toBe(path.join(repo, "shared", "common.env"));
  });

  it("works when the repository itself is reached through a symlink", async () => {
    const linkedRepo = path.join(sandbox, "repo-link");
    const linkedWeb = path.join(linkedRepo, "stacks", "web");
    await expect(resolve("nginx.conf", linkedWeb, linkedRepo)).resolves.toBe(path.join(web, "nginx.conf"));
    await expect(resolve("common.env", linkedWeb, linkedRepo)).resolves.toBe(
      path.join(repo, "shared", "common.env"),
    );
  });

  it("rejects a path that climbs out of the repository with ..", async () => {
    const error = await rejection(resolve("../../../outside/secret.txt"));
    expect(error.message).toBe(
      `${FIELD}: "../../../outside/secret.txt" points outside the repository (keep referenced files inside the repository)`,
    );
  });

  it("rejects .. escapes even when the target does not exist", async () => {
    const error = await rejection(resolve("../../../../../../no/such/file"));
    expect(error.message).toContain("points outside the repository");
  });

  it("rejects an absolute path, even one inside the repository", async () => {
    const error = await rejection(resolve("/etc/passwd"));
    expect(error.message).toBe(
      `${FIELD}: absolute path "/etc/passwd" is not allowed (use a path relative to the compose file and keep referenced files inside the repository)`,
    );
    await rejection(resolve(path.join(web, "nginx.conf")));
  });

  it("rejects a symlinked file that points outside the repository", async () => {
    const error = await rejection(resolve("leak.txt"));
    const outside = path.join(sandbox, "outside", "secret.txt");
    expect(error.message).toBe(
      `${FIELD}: "leak.txt" resolves through a symlink to ${outside}, outside the repository (keep referenced files inside the repository; symlinks must point into it)`,
    );
  });

  it("rejects a path through a symlinked folder that points outside", async () => {
    const error = await rejection(resolve("outside-dir/secret.txt"));
    expect(error.message).toContain("resolves through a symlink");
    expect(error.message).toContain("outside the repository");
  });

  it("rejects a missing file and says where it looked", async () => {
    const error = await rejection(resolve("missing.conf"));
    expect(error.message).toBe(
      `${FIELD}: file "missing.conf" does not exist (looked for stacks/web/missing.conf in the repository) (add the file to the repository or fix the path)`,
    );
  });

  it("rejects a path whose parent is a file", async () => {
    const error = await rejection(resolve("nginx.conf/inner"));
    expect(error.message).toContain('file "nginx.conf/inner" does not exist');
  });

  it("rejects a dangling symlink by name", async () => {
    const error = await rejection(resolve("dangling"));
    expect(error.message).toContain('"dangling" is a symlink to a file that does not exist');
  });

  it("rejects a symlink loop", async () => {
    const error = await rejection(resolve("loop-a"));
    expect(error.message).toContain('"loop-a" is a symlink loop');
  });

  it("rejects a directory", async () => {
    const error = await rejection(resolve("conf.d"));
    expect(error.message).toBe(
      `${FIELD}: "conf.d" is not a regular file (it is a directory) (point it at a regular file)`,
    );
    await rejection(resolve("."));
  });

  it("resolves a folder for a target's path, and refuses a file or a link out", async () => {
    expect(await resolveRepoFolder(repo, "stacks/web/conf.d")).toBe(await realpath(path.join(web, "conf.d")));
    await expect(resolveRepoFolder(repo, "shared/common.env")).rejects.toThrow(
      '"shared/common.env" is not a folder (it is a file)',
    );
    await expect(resolveRepoFolder(repo, "../")).rejects.toThrow("points outside the repository");
  });

  it("rejects an empty reference", async () => {
    const error = await rejection(resolve(""));
    expect(error.message).toContain('invalid file reference ""');
  });
});
