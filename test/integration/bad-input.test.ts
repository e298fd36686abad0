// Bad input gets a clear error and loses nothing: each broken source fails the run with a message
// naming the file, line or field, nothing is deployed from it, and nothing is pruned while the
// desired state is incomplete.
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { actionsByStack, readReport, runCroncd, writeConfig } from "../helpers/croncd.js";
import { listServices, removeAllStacks, TEST_IMAGE, uniqueStackName } from "../helpers/docker.js";
import { createBareRepo, TestRepo } from "../helpers/git-repo.js";

const prefix = uniqueStackName("bad");
const keeper = `${prefix}-keeper`;
const broken = `${prefix}-broken`;
const target = prefix;

const goodCompose = `services:\n  app:\n    image: ${TEST_IMAGE}\n    command: ["sleep", "3600"]\n`;

describe("bad input on a real Swarm", () => {
  let work: string;
  let bare: string;
  let repo: TestRepo;
  let configFile: string;
  const reportFile = () => path.join(work, "report.json");

  /** Commits `files` (the broken stack) beside the good one, runs reconcile, returns its result. */
  async function reconcileWith(brokenFiles: Record<string, string>) {
    await repo.remove(`stacks/${broken}`);
    for (const [file, content] of Object.entries(brokenFiles))
      await repo.write(`stacks/${broken}/${file}`, content);
    await repo.commit(`broken: ${Object.keys(brokenFiles).join(", ")}`, { allowEmpty: true });
    await repo.push(bare);
    return runCroncd(["reconcile", "--config", configFile, "--report", reportFile()], { cwd: work });
  }

  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), "croncd-bad-"));
    bare = await createBareRepo(work, "stacks.git");
    // A stack croncd deployed earlier that has since left git: only a complete desired state may prune it.
    repo = await TestRepo.create(path.join(work, "checkout"), {
      [`stacks/${keeper}/compose.yaml`]: goodCompose,
    });
    await repo.push(bare);
    configFile = await writeConfig(
      work,
      [{ name: "platform", url: bare, ref: "main" }],
      [{ name: target, source: "platform", path: "stacks", prune: true }],
    );
    const first = await runCroncd(["reconcile", "--config", configFile], { cwd: work });
    expect(first.exitCode, first.output).toBe(0);
    await repo.remove(`stacks/${keeper}`);
    await repo.write("stacks/.keep", "");
    await repo.commit("keeper left git");
  });

  afterAll(async () => {
    await removeAllStacks(prefix);
    await rm(work, { recursive: true, force: true });
  });

  async function expectNothingDeployedOrPruned(): Promise<void> {
    expect(await listServices(`com.docker.stack.namespace=${broken}`)).toEqual([]);
    expect(await listServices(`com.docker.stack.namespace=${keeper}`)).toHaveLength(1);
    const report = await readReport(reportFile());
    expect(actionsByStack(report)[keeper]).toBe("failed");
    expect(report.entries.find((entry) => entry.name === keeper)?.reason).toContain(
      "desired state is incomplete",
    );
  }

  it("malformed YAML: names the file and line", async () => {
    const result = await reconcileWith({ "compose.yaml": "services:\n  app:\n    image: [unclosed\n" });
    expect(result.exitCode).toBe(1);
    expect(result.output).toMatch(
      new RegExp(`stack ${broken}: failed — render failed: stacks/${broken}/compose\\.yaml:\\d+:\\d+`),
    );
    await expectNothingDeployedOrPruned();
  });

  it("schema violation: names the file, line and key", async () => {
    const result = await reconcileWith({ "compose.yaml": `services:\n  app:\n    imgae: ${TEST_IMAGE}\n` });
    expect(result.exitCode).toBe(1);
    expect(result.output).toContain(`stacks/${broken}/compose.yaml:3: services.app: unknown key "imgae"`);
    await expectNothingDeployedOrPruned();
  });

  it("missing required variable: shows the variable and the author's message", async () => {
    const result = await reconcileWith({
      "compose.yaml": `services:\n  app:\n    image: \${IMAGE:?set IMAGE in .env}\n`,
    });
    expect(result.exitCode).toBe(1);
    expect(result.output).toContain("required variable IMAGE is missing a value: set IMAGE in .env");
    expect(result.output).toContain(`stacks/${broken}/compose.yaml services.app.image`);
    await expectNothingDeployedOrPruned();
  });

  it("path escape: a config file outside the repository is refused", async () => {
    const result = await reconcileWith({
      "compose.yaml": `services:\n  app:\n    image: ${TEST_IMAGE}\n    configs: [passwd]\nconfigs:\n  passwd:\n    file: ../../../../etc/passwd\n`,
    });
    expect(result.exitCode).toBe(1);
    expect(result.output).toContain(`stacks/${broken}/compose.yaml configs.passwd.file`);
    expect(result.output).toMatch(/outside the repository|escapes the repository/);
    await expectNothingDeployedOrPruned();
  });

  it("unknown ref: says which ref, and prunes nothing", async () => {
    const wrongRef = await writeConfig(
      path.join(work, "wrong-ref"),
      [{ name: "platform", url: bare, ref: "no-such-branch" }],
      [{ name: target, source: "platform", path: "stacks", prune: true }],
    );
    const result = await runCroncd(["reconcile", "--config", wrongRef, "--report", reportFile()], {
      cwd: work,
    });
    expect(result.exitCode).toBe(1);
    expect(result.output).toContain('source platform: clone failed: ref "no-such-branch" not found');
    expect(await listServices(`com.docker.stack.namespace=${keeper}`)).toHaveLength(1);
    const report = await readReport(reportFile());
    expect(report.sources[0]?.error).toContain("no-such-branch");
    expect(report.entries).toMatchObject([{ kind: "target", name: target, action: "failed" }]);
  });

  it("unreachable repository: says so, and prunes nothing", async () => {
    const missing = await writeConfig(
      path.join(work, "missing"),
      [{ name: "platform", url: path.join(work, "does-not-exist.git") }],
      [{ name: target, source: "platform", path: "stacks", prune: true }],
    );
    const result = await runCroncd(["reconcile", "--config", missing], { cwd: work });
    expect(result.exitCode).toBe(1);
    expect(result.output).toContain("source platform: clone failed: repository unreachable");
    expect(await listServices(`com.docker.stack.namespace=${keeper}`)).toHaveLength(1);
  });

  // The live state is read while sources are cloned. When the clone fails, that read is no longer
  // wanted: croncd must not wait for a daemon that never answers (its docker call may take 10 min).
  it("unreachable repository and a daemon that never answers: ends at once", async () => {
    const connections = new Set<net.Socket>();
    const silent = net.createServer((socket) => connections.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const { port } = silent.address() as net.AddressInfo;
    try {
      const dir = path.join(work, "silent");
      await mkdir(dir, { recursive: true });
      const config = path.join(dir, "croncd.yaml");
      await writeFile(
        config,
        stringify({
          sources: [{ name: "platform", url: path.join(work, "does-not-exist.git") }],
          targets: [
            {
              name: target,
              type: "swarm",
              source: "platform",
              path: "stacks",
              docker: { host: `tcp://127.0.0.1:${port}` },
            },
          ],
        }),
      );
      const result = await runCroncd(["reconcile", "--config", config], { cwd: work, timeoutMs: 60_000 });
      expect(result.exitCode, result.output).toBe(1);
      expect(result.output).toContain("source platform: clone failed: repository unreachable");
    } finally {
      for (const socket of connections) socket.destroy();
      silent.close();
    }
  });

  it("refuses a docker CLI too old to read version-less Compose files, before deploying anything", async () => {
    // Debian's docker.io 20.10 CLI (installed with the test daemon) first on PATH.
    const bin = path.join(work, "old-docker-bin");
    await mkdir(bin, { recursive: true });
    await symlink("/usr/bin/docker", path.join(bin, "docker")).catch(() => undefined);
    await repo.remove(`stacks/${broken}`);
    await repo.write(`stacks/${broken}/compose.yaml`, goodCompose);
    await repo.commit("a good stack that an old CLI could not deploy");
    await repo.push(bare);
    const result = await runCroncd(["reconcile", "--config", configFile], {
      cwd: work,
      env: { PATH: `${bin}:${process.env.PATH ?? ""}` },
    });
    expect(result.exitCode).toBe(1);
    expect(result.output).toMatch(/target .*: the docker CLI is too old \(Docker version 20\.10/);
    expect(result.output).toContain("croncd needs docker CLI 23.0 or newer");
    expect(await listServices(`com.docker.stack.namespace=${broken}`)).toEqual([]);
    expect(await listServices(`com.docker.stack.namespace=${keeper}`)).toHaveLength(1);
  });

  it("a broken croncd.yaml names the field and touches nothing", async () => {
    const bad = path.join(work, "bad-config");
    await writeConfig(
      bad,
      [{ name: "platform", url: bare }],
      [{ name: target, source: "platfrom", path: "stacks" }],
    );
    const report = path.join(bad, "report.json");
    const result = await runCroncd(
      ["reconcile", "--config", path.join(bad, "croncd.yaml"), "--report", report],
      {
        cwd: work,
      },
    );
    expect(result.exitCode).toBe(1);
    expect(result.output).toContain('targets[0].source: no source named "platfrom"; known: platform');
    // The report is written even when nothing could start, since CI keeps it as the artifact.
    expect(await readReport(report)).toMatchObject({
      exitCode: 1,
      entries: [
        {
          kind: "run",
          name: "reconcile",
          action: "failed",
          reason: expect.stringContaining("platfrom") as unknown,
        },
      ],
    });
  });
});
