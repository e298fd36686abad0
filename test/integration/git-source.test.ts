// Pulling sources from a real git HTTP server (git's own http-backend) with token auth, and from
// local repositories by branch, tag and commit SHA. The token must never reach the log, the report
// or .git/config.
import { mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fetchCommit } from "../../src/ports/git.js";
import { readReport, runCroncd, writeConfig, type SourceSpec } from "../helpers/croncd.js";
import { TEST_IMAGE } from "../helpers/docker.js";
import { createBareRepo, git, TestRepo } from "../helpers/git-repo.js";
import { startGitServer, type GitServer } from "../helpers/git-server.js";

const TOKEN = "glpat-test-0123456789abcdef";
const compose = `services:\n  app:\n    image: ${TEST_IMAGE}\n`;

describe("git sources", () => {
  let work: string;
  let server: GitServer;
  let repo: TestRepo;
  let firstCommit: string;
  let secondCommit: string;

  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), "croncd-git-"));
    const served = path.join(work, "served");
    const bare = await createBareRepo(served, "stacks.git");
    repo = await TestRepo.create(path.join(work, "checkout"), { "stacks/one/compose.yaml": compose });
    firstCommit = await repo.head();
    await repo.tag("v1.0.0", { message: "release 1" });
    await repo.write("stacks/two/compose.yaml", compose);
    secondCommit = await repo.commit("add two");
    await repo.push(bare);
    server = await startGitServer({ root: served, token: TOKEN });
  });

  afterAll(async () => {
    await server.stop();
    await rm(work, { recursive: true, force: true });
  });

  const validate = async (name: string, source: Partial<SourceSpec>, env: Record<string, string> = {}) => {
    const dir = path.join(work, name);
    const config = await writeConfig(
      dir,
      [{ name: "platform", url: server.repoUrl("stacks.git"), ...source }],
      [{ name: "prod", source: "platform", path: "stacks" }],
    );
    const report = path.join(dir, "report.json");
    const result = await runCroncd(["validate", "--config", config, "--report", report], { cwd: work, env });
    return { result, report };
  };

  it("clones over HTTPS-style token auth and never shows the token", async () => {
    const { result, report } = await validate(
      "token-ok",
      { auth: { tokenEnv: "STACKS_TOKEN" } },
      { STACKS_TOKEN: TOKEN },
    );
    expect(result.exitCode, result.output).toBe(0);
    expect(result.output).toContain(`source platform: main at ${secondCommit.slice(0, 12)}`);
    const json = await readFile(report, "utf8");
    expect((await readReport(report)).sources[0]?.commit).toBe(secondCommit);
    for (const text of [result.output, json]) {
      expect(text).not.toContain(TOKEN);
      expect(text).not.toContain(Buffer.from(`oauth2:${TOKEN}`).toString("base64"));
    }
    expect(server.requests.some((request) => request.authorized && request.username === "oauth2")).toBe(true);
  });

  it("a wrong token fails with an authentication message that does not echo it", async () => {
    const wrong = "glpat-wrong-token-value";
    const { result } = await validate(
      "token-bad",
      { auth: { tokenEnv: "STACKS_TOKEN" } },
      { STACKS_TOKEN: wrong },
    );
    expect(result.exitCode).toBe(1);
    expect(result.output).toContain("source platform: clone failed: authentication failed");
    expect(result.output).toContain("check the token or deploy key");
    expect(result.output).not.toContain(wrong);
  });

  it("no token at all: the server's refusal is reported as an authentication failure", async () => {
    const { result } = await validate("token-none", {});
    expect(result.exitCode).toBe(1);
    expect(result.output).toContain("authentication failed");
  });

  it("a token variable that is not set is named", async () => {
    const { result } = await validate("token-unset", { auth: { tokenEnv: "NOT_SET_ANYWHERE" } });
    expect(result.exitCode).toBe(1);
    expect(result.output).toContain(
      "environment variable NOT_SET_ANYWHERE (auth.tokenEnv) is not set or empty",
    );
  });

  it("names the variable, not the path, when the deploy key file cannot be read", async () => {
    const missing = path.join(work, "secret-place", "id_ed25519");
    const { result } = await validate(
      "key-missing",
      { auth: { sshKeyFileEnv: "DEPLOY_KEY" } },
      { DEPLOY_KEY: missing },
    );
    expect(result.exitCode).toBe(1);
    expect(result.output).toContain(
      "the deploy key file named by DEPLOY_KEY (auth.sshKeyFileEnv) cannot be read",
    );
    expect(result.output).not.toContain("secret-place");
  });

  it("says so when git is not installed", async () => {
    const bin = path.join(work, "bin-without-git");
    await mkdir(bin);
    await symlink(process.execPath, path.join(bin, "node"));
    const { result } = await validate("no-git", {}, { PATH: bin });
    expect(result.exitCode).toBe(1);
    expect(result.output).toContain("the git program is not installed or not on PATH");
  });

  it.each([
    ["user and password", () => server.repoUrlWithCredentials("stacks.git")],
    ["a token as the user name", () => server.repoUrl("stacks.git").replace("http://", `http://${TOKEN}@`)],
    ["a token in the query string", () => `${server.repoUrl("stacks.git")}?private_token=${TOKEN}`],
  ])("refuses a URL with credentials in it (%s), before any request", async (_label, url) => {
    const before = server.requests.length;
    const { result } = await validate(`url-${_label.replaceAll(" ", "-")}`, { url: url() });
    expect(result.exitCode).toBe(1);
    expect(result.output).toContain("the URL carries credentials");
    expect(result.output).not.toContain(TOKEN);
    expect(server.requests.length).toBe(before);
  });

  it("refuses to send a token over plain http to another host", async () => {
    const { result } = await validate(
      "plain-http",
      { url: "http://git.example.invalid/stacks.git", auth: { tokenEnv: "STACKS_TOKEN" } },
      { STACKS_TOKEN: TOKEN },
    );
    expect(result.exitCode).toBe(1);
    expect(result.output).toContain("refusing to send a token over plain http://");
  });

  it("ignores the runner's own git configuration", async () => {
    // A url.insteadOf rewrite in ~/.gitconfig would send the clone elsewhere.
    const home = path.join(work, "home-with-gitconfig");
    await mkdir(home);
    await writeFile(
      path.join(home, ".gitconfig"),
      `[url "http://127.0.0.1:9/nowhere/"]\n\tinsteadOf = ${server.repoUrl("")}\n`,
    );
    const { result } = await validate(
      "own-gitconfig",
      { auth: { tokenEnv: "STACKS_TOKEN" } },
      { STACKS_TOKEN: TOKEN, HOME: home },
    );
    expect(result.exitCode, result.output).toBe(0);
  });

  it("keeps the token out of .git/config and fetches one shallow commit", async () => {
    const dir = path.join(work, "direct");
    await mkdir(dir);
    const { commit } = await fetchCommit({
      url: server.repoUrl("stacks.git"),
      ref: "main",
      dir,
      auth: { kind: "token", username: "oauth2", token: TOKEN },
    });
    expect(commit).toBe(secondCommit);
    // No remote is configured (the fetch names the URL); FETCH_HEAD records the URL, never the token.
    const gitConfig = await readFile(path.join(dir, ".git", "config"), "utf8");
    const fetchHead = await readFile(path.join(dir, ".git", "FETCH_HEAD"), "utf8");
    expect(fetchHead).toContain(`${secondCommit}\t\tbranch 'main' of ${server.repoUrl("stacks")}`);
    const basic = Buffer.from(`oauth2:${TOKEN}`).toString("base64");
    for (const stored of [gitConfig, fetchHead]) {
      expect(stored).not.toContain(TOKEN);
      expect(stored).not.toContain(basic);
      expect(stored).not.toContain("extraHeader");
    }
    expect((await git(["rev-parse", "--is-shallow-repository"], { cwd: dir })).trim()).toBe("true");
    expect(await readdir(path.join(dir, "stacks"))).toEqual(["one", "two"]);
  });

  it.each([
    ["a tag", "v1.0.0", () => firstCommit],
    ["a full commit SHA", "FIRST", () => firstCommit],
    ["a short commit SHA", "FIRST_SHORT", () => firstCommit],
    ["a branch", "main", () => secondCommit],
  ])("checks out %s", async (_label, ref, expected) => {
    const resolvedRef =
      ref === "FIRST" ? firstCommit : ref === "FIRST_SHORT" ? firstCommit.slice(0, 10) : ref;
    const { result, report } = await validate(
      `ref-${ref}`,
      { ref: resolvedRef, auth: { tokenEnv: "STACKS_TOKEN" } },
      { STACKS_TOKEN: TOKEN },
    );
    expect(result.exitCode, result.output).toBe(0);
    expect((await readReport(report)).sources[0]?.commit).toBe(expected());
  });
});
