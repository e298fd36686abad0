// Compose files in git submodules, with real repositories: without `submodules: true` croncd says
// which submodule it did not fetch and what to set (and prunes nothing); with it, the submodules
// are fetched with the source's own auth, and only over transports the source itself uses or that
// authenticate (a .gitmodules cannot make the runner read its own disk).
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCroncd, writeConfig, type SourceSpec } from "../helpers/croncd.js";
import { listServices, removeAllStacks, TEST_IMAGE, uniqueStackName } from "../helpers/docker.js";
import { createBareRepo, TestRepo } from "../helpers/git-repo.js";
import { startGitServer, type GitServer } from "../helpers/git-server.js";

const TOKEN = "submodule-test-token-5c1e";
const target = uniqueStackName("submod");
const mon = uniqueStackName("mon");
const web = uniqueStackName("web");
const compose = (extra = "") => `services:
  app:
    image: ${TEST_IMAGE}
    command: ["sleep", "3600"]
${extra}`;

describe("git submodules", () => {
  let work: string;
  let served: string;
  let server: GitServer;
  /** The config repository on disk: stacks/<web> uses a file of submodule vendor/base; stacks/<mon> is one. */
  let localMain: string;
  /** Like localMain, without the stack folder that is a submodule. */
  let fileOnly: string;

  /** Adds `url` as submodule `at` of `repo` (the test's own git may use the file transport). */
  const addSubmodule = (repo: TestRepo, url: string, at: string) =>
    repo.git(["-c", "protocol.file.allow=always", "submodule", "add", "--quiet", url, at]);

  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), "croncd-submodules-"));
    served = path.join(work, "served");
    server = await startGitServer({ root: served, token: TOKEN });

    // The submodules' own repositories, on disk and on the HTTP server.
    const monitoring = await TestRepo.create(path.join(work, "monitoring"), { "compose.yaml": compose() });
    const base = await TestRepo.create(path.join(work, "base"), { "app.env": "FROM_SUBMODULE=yes\n" });
    const localMonitoring = await createBareRepo(work, "monitoring.git");
    const localBase = await createBareRepo(work, "base.git");
    await monitoring.push(localMonitoring);
    await base.push(localBase);
    await monitoring.push(await createBareRepo(served, "monitoring.git"));

    const main = await TestRepo.create(path.join(work, "main"), {
      [`stacks/${web}/compose.yaml`]: compose("    env_file: ../../vendor/base/app.env\n"),
    });
    await addSubmodule(main, localBase, "vendor/base");
    await main.commit("a stack using a file of a submodule");
    fileOnly = await createBareRepo(work, "file-only.git");
    await main.push(fileOnly);
    await addSubmodule(main, localMonitoring, `stacks/${mon}`);
    await main.commit("a stack that is a submodule");
    localMain = await createBareRepo(work, "main.git");
    await main.push(localMain);

    // Served over HTTP with a token: monitoring by a relative URL (on the same server, so it needs
    // the token too), and a submodule pointing at a path on the runner's disk.
    const remote = await TestRepo.create(path.join(work, "remote"), {});
    await addSubmodule(remote, localMonitoring, `stacks/${mon}`);
    await remote.git(["config", "-f", ".gitmodules", `submodule.stacks/${mon}.url`, "../monitoring.git"]);
    await remote.commit("monitoring from the same server");
    await remote.push(await createBareRepo(served, "relative.git"));
    await addSubmodule(remote, localBase, "vendor/base");
    await remote.commit("and a submodule on the runner's disk");
    await remote.push(await createBareRepo(served, "local-path.git"));
  });

  afterAll(async () => {
    await removeAllStacks(mon);
    await removeAllStacks(web);
    await server.stop();
    await rm(work, { recursive: true, force: true });
  });

  const run = async (
    name: string,
    command: string,
    source: SourceSpec,
    options: { prune?: boolean } = {},
  ) => {
    const config = await writeConfig(
      path.join(work, name),
      [source],
      [{ name: target, source: source.name, path: "stacks", ...(options.prune ? { prune: true } : {}) }],
    );
    return runCroncd([command, "--config", config], { cwd: work, env: { STACKS_TOKEN: TOKEN } });
  };

  /** A source on the HTTP server, with the token and submodules: true. */
  const servedSource = (repo: string): SourceSpec => ({
    name: "platform",
    url: server.repoUrl(repo),
    auth: { tokenEnv: "STACKS_TOKEN" },
    submodules: true,
  });

  it("without submodules: true, names the stack folder that is an unfetched submodule and the source", async () => {
    const result = await run("off", "validate", { name: "platform", url: localMain });
    expect(result.exitCode, result.output).toBe(1);
    expect(result.output).toContain(
      `stack folder stacks/${mon} is a git submodule, which croncd does not fetch: set submodules: true on source platform`,
    );
  });

  it("without submodules: true, a file inside a submodule says which submodule", async () => {
    const result = await run("off-file", "validate", { name: "platform", url: fileOnly });
    expect(result.exitCode, result.output).toBe(1);
    expect(result.output).toContain(
      `stack ${web}: failed — render failed: stacks/${web}/compose.yaml services.app.env_file: "../../vendor/base/app.env" is inside git submodule vendor/base, which croncd does not fetch (set submodules: true on the target's source in croncd.yaml)`,
    );
  });

  it("with submodules: true, the stacks in and beside submodules are read", async () => {
    const result = await run("on", "validate", { name: "platform", url: localMain, submodules: true });
    expect(result.exitCode, result.output).toBe(0);
    expect(result.output).toContain(`stack ${mon}: skipped — valid: stacks/${mon}/compose.yaml`);
    expect(result.output).toContain(`stack ${web}: skipped — valid: stacks/${web}/compose.yaml`);
  });

  it("a reconcile does not prune the stacks of an unfetched submodule", async () => {
    const deployed = await run(
      "deploy",
      "reconcile",
      { name: "platform", url: localMain, submodules: true },
      { prune: true },
    );
    expect(deployed.exitCode, deployed.output).toBe(0);
    const before = await listServices(`com.docker.stack.namespace=${mon}`);
    expect(before).toHaveLength(1);
    const result = await run("no-prune", "reconcile", { name: "platform", url: localMain }, { prune: true });
    expect(result.exitCode).toBe(1);
    expect(await listServices(`com.docker.stack.namespace=${mon}`)).toHaveLength(1);
  });

  it("over HTTP with a token: a relative submodule on the same server is fetched with the source's token", async () => {
    const result = await run("relative", "validate", servedSource("relative.git"));
    expect(result.exitCode, result.output).toBe(0);
    expect(result.output).toContain(`stack ${mon}: skipped — valid: stacks/${mon}/compose.yaml`);
    expect(result.output).not.toContain(TOKEN);
    const monitoringFetches = server.requests.filter((request) =>
      request.path.startsWith("/monitoring.git/"),
    );
    expect(monitoringFetches.length).toBeGreaterThan(0);
    expect(monitoringFetches.every((request) => request.authorized)).toBe(true);
  });

  it("a submodule pointing at the runner's disk is refused for a source served over the network", async () => {
    const result = await run("local-path", "validate", servedSource("local-path.git"));
    expect(result.exitCode, result.output).toBe(1);
    expect(result.output).toMatch(/source platform: clone failed: .*transport 'file' not allowed/);
  });
});
