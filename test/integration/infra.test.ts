// Proves the integration-test infrastructure itself: the private Swarm from the global setup, the test
// images, and the token-protected git HTTP server.
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import {
  docker,
  listServices,
  listTasks,
  removeAllStacks,
  TEST_IMAGE,
  TEST_IMAGE_V2,
  uniqueStackName,
  waitFor,
} from "../helpers/docker.js";
import { createBareRepo, git, TestRepo } from "../helpers/git-repo.js";
import { startGitServer } from "../helpers/git-server.js";
import type { GitServer } from "../helpers/git-server.js";

describe("test Docker Swarm", () => {
  const stack = uniqueStackName("infra");
  let workDir: string;

  beforeAll(async () => {
    workDir = await mkdtemp(join(tmpdir(), "croncd-infra-"));
  });

  afterAll(async () => {
    await removeAllStacks(stack);
    await rm(workDir, { recursive: true, force: true });
  });

  it("is a Swarm manager reached through the provided DOCKER_HOST", async () => {
    const host = inject("dockerHost");
    // Workers see the daemon both ways: provide()/inject() and the environment the CLI reads.
    expect(process.env.DOCKER_HOST).toBe(host);

    const swarm = JSON.parse(await docker(["info", "--format", "{{json .Swarm}}"])) as {
      LocalNodeState: string;
      ControlAvailable: boolean;
    };
    expect(swarm.LocalNodeState).toBe("active");
    expect(swarm.ControlAvailable).toBe(true);
    const nodes = await docker(["node", "ls", "--format", "{{.ManagerStatus}} {{.Status}}"]);
    expect(nodes.trim()).toBe("Leader Ready");
  });

  it("is the private daemon, not the host's default one", async () => {
    if (!inject("dockerHostIsPrivate")) {
      // CRONCD_TEST_DOCKER_HOST named a daemon on purpose; nothing to prove about privacy then.
      expect(process.env.CRONCD_TEST_DOCKER_HOST).toBe(inject("dockerHost"));
      return;
    }
    const host = inject("dockerHost");
    const match = /^unix:\/\/(\/tmp\/croncd-d-[A-Za-z0-9]{6})\/docker\.sock$/.exec(host);
    expect(match, host).not.toBeNull();
    expect(host).not.toContain("/var/run/docker.sock");
    expect(host).not.toContain("/run/docker.sock");
    // Its state lives in the test's own directory, not in /var/lib/docker.
    const rootDir = (await docker(["info", "--format", "{{.DockerRootDir}}"])).trim();
    expect(rootDir).toBe(`${match?.[1]}/data`);
  });

  it("has both test images, which stop with SIGKILL", async () => {
    const [v1, v2] = await Promise.all([
      docker([
        "run",
        "--rm",
        "--network",
        "none",
        TEST_IMAGE,
        "sh",
        "-c",
        "test -e /VERSION && echo has || echo none",
      ]),
      docker(["run", "--rm", "--network", "none", TEST_IMAGE_V2, "cat", "/VERSION"]),
    ]);
    expect(v1.trim()).toBe("none");
    expect(v2.trim()).toBe("2");
    const stopSignal = await docker(["image", "inspect", "--format", "{{.Config.StopSignal}}", TEST_IMAGE]);
    expect(stopSignal.trim()).toBe("SIGKILL");
  });

  it("deploys a stack with an overlay network and a config, and its task runs", async () => {
    const greeting = `hello from ${stack}`;
    await writeFile(join(workDir, "greeting.txt"), `${greeting}\n`);
    // `version` keeps older docker CLIs (20.10, Debian's) happy; newer ones ignore it.
    await writeFile(
      join(workDir, "stack.yml"),
      [
        'version: "3.8"',
        "services:",
        "  app:",
        `    image: ${TEST_IMAGE}`,
        '    command: ["sh", "-c", "cat /etc/greeting; exec sleep 3600"]',
        "    networks: [backend]",
        "    configs:",
        "      - source: greeting",
        "        target: /etc/greeting",
        "networks:",
        "  backend:",
        "    driver: overlay",
        "configs:",
        "  greeting:",
        "    file: ./greeting.txt",
        "",
      ].join("\n"),
    );
    await docker(["stack", "deploy", "--resolve-image", "never", "--compose-file", "stack.yml", stack], {
      cwd: workDir,
    });

    const services = await listServices(`com.docker.stack.namespace=${stack}`);
    expect(services.map((service) => service.Spec.Name)).toEqual([`${stack}_app`]);
    expect(services[0]?.Spec.TaskTemplate.ContainerSpec.Image).toBe(TEST_IMAGE);
    expect(services[0]?.Spec.TaskTemplate.ContainerSpec.Configs?.map((config) => config.File?.Name)).toEqual([
      "/etc/greeting",
    ]);

    const network = await docker([
      "network",
      "inspect",
      "--format",
      "{{.Driver}} {{.Scope}}",
      `${stack}_backend`,
    ]);
    expect(network.trim()).toBe("overlay swarm");

    const task = await waitFor(
      async () => (await listTasks(`${stack}_app`)).find((candidate) => candidate.Status.State === "running"),
      { timeoutMs: 60_000, intervalMs: 250, what: `a running task of ${stack}_app` },
    );
    expect(task.DesiredState).toBe("running");

    const logs = await waitFor(
      async () => {
        const text = await docker(["service", "logs", "--raw", `${stack}_app`]);
        return text.includes(greeting) ? text : undefined;
      },
      { timeoutMs: 30_000, what: "the config's content in the service log" },
    );
    expect(logs).toContain(greeting);
  });

  it("waitFor reports what it waited for when time runs out", async () => {
    await expect(waitFor(() => false, { timeoutMs: 300, intervalMs: 50, what: "a miracle" })).rejects.toThrow(
      /Timed out after 300 ms waiting for a miracle \(last result: false\)/,
    );
  });
});

describe("test git HTTP server", () => {
  const TOKEN = "glpat-test-token-0123456789";
  let root: string;
  let workDir: string;
  let server: GitServer;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), "croncd-git-root-"));
    workDir = await mkdtemp(join(tmpdir(), "croncd-git-work-"));
    server = await startGitServer({ root, token: TOKEN });
  });

  afterAll(async () => {
    await server.stop();
    await rm(root, { recursive: true, force: true });
    await rm(workDir, { recursive: true, force: true });
  });

  it("serves a clone with the right token and refuses a wrong or missing one", async () => {
    const bare = await createBareRepo(root, "app.git");
    const binary = Buffer.from([0, 1, 2, 0xfe, 0xff, 0x0a, 0x0d]);
    const source = await TestRepo.create(join(workDir, "source"), {
      "stacks/app/compose.yml": "services: {}\n",
      "blob.bin": binary,
    });
    await source.push(bare);
    const head = await source.head();

    const clone = join(workDir, "clone");
    await git(["clone", "--quiet", server.repoUrlWithCredentials("app.git"), clone]);
    expect((await git(["rev-parse", "HEAD"], { cwd: clone })).trim()).toBe(head);
    expect(await readFile(join(clone, "stacks/app/compose.yml"), "utf8")).toBe("services: {}\n");
    expect(await readFile(join(clone, "blob.bin"))).toEqual(binary);
    expect(server.requests.some((r) => r.authorized && r.path === "/app.git/info/refs")).toBe(true);

    const before = server.requests.length;
    await expect(
      git([
        "clone",
        "--quiet",
        server.repoUrlWithCredentials("app.git", { token: "wrong" }),
        join(workDir, "bad"),
      ]),
    ).rejects.toThrow(/Authentication failed/);
    await expect(git(["clone", "--quiet", server.repoUrl("app.git"), join(workDir, "anon")])).rejects.toThrow(
      /Authentication failed|could not read Username/,
    );
    const refused = server.requests.slice(before);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.every((r) => !r.authorized && r.status === 401)).toBe(true);

    // The record is safe to print: it never holds the token.
    expect(JSON.stringify(server.requests)).not.toContain(TOKEN);
  });

  it("requires the exact user name when one is configured", async () => {
    await createBareRepo(root, "named.git");
    const named = await startGitServer({ root, token: TOKEN, username: "deploy" });
    try {
      await git(["ls-remote", named.repoUrlWithCredentials("named.git")]);
      await expect(
        git(["ls-remote", named.repoUrlWithCredentials("named.git", { username: "someone-else" })]),
      ).rejects.toThrow(/Authentication failed/);
    } finally {
      await named.stop();
    }
  });

  it.each(["2", "0"])("fetches one commit by SHA, shallow, over protocol v%s", async (version) => {
    const name = `history-v${version}.git`;
    const bare = await createBareRepo(root, name);
    const source = await TestRepo.create(join(workDir, `history-src-v${version}`), { "file.txt": "one\n" });
    const first = await source.head();
    await source.write("file.txt", "two\n");
    const second = await source.commit("second");
    await source.write("file.txt", "three\n");
    await source.commit("third");
    await source.push(bare);

    // Neither commit is a branch tip: the server must allow SHA1s in "want" lines.
    const target = join(workDir, `shallow-v${version}`);
    await git(["init", "--quiet", target]);
    for (const sha of [first, second]) {
      await git(
        [
          "-c",
          `protocol.version=${version}`,
          "fetch",
          "--quiet",
          "--depth",
          "1",
          server.repoUrlWithCredentials(name),
          sha,
        ],
        { cwd: target },
      );
      expect((await git(["rev-parse", "FETCH_HEAD"], { cwd: target })).trim()).toBe(sha);
    }
    expect((await git(["rev-list", "--count", "FETCH_HEAD"], { cwd: target })).trim()).toBe("1");
    expect((await git(["show", "FETCH_HEAD:file.txt"], { cwd: target })).trim()).toBe("two");
    expect((await stat(join(target, ".git", "shallow"))).isFile()).toBe(true);
  });

  it("accepts gzip-compressed request bodies", async () => {
    // A clone wanting many tips makes git gzip its negotiation request (bodies over 1 KiB).
    const bare = await createBareRepo(root, "many.git");
    const commits: string[] = [];
    for (let i = 0; i < 40; i++) {
      const message = `commit ${i}\n`;
      const content = `${i}\n`;
      commits.push(
        `commit refs/tags/v${i}`,
        `mark :${i + 1}`,
        `committer croncd test <croncd-test@example.invalid> ${1_700_000_000 + i} +0000`,
        `data ${Buffer.byteLength(message)}`,
        message.trimEnd(),
        ...(i > 0 ? [`from :${i}`] : []),
        "M 644 inline file.txt",
        `data ${Buffer.byteLength(content)}`,
        content.trimEnd(),
        "",
      );
    }
    await git(["fast-import", "--quiet"], { cwd: bare, input: `${commits.join("\n")}\n` });
    await git(["update-ref", "refs/heads/main", "refs/tags/v39"], { cwd: bare });

    const before = server.requests.length;
    const clone = join(workDir, "many");
    await git(["clone", "--quiet", server.repoUrlWithCredentials("many.git"), clone]);
    expect((await git(["tag", "--list"], { cwd: clone })).split("\n")).toHaveLength(40);
    const gzipped = server.requests.slice(before).filter((r) => r.gzip);
    expect(gzipped.length).toBeGreaterThan(0);
    expect(gzipped.every((r) => r.authorized && r.status === 200)).toBe(true);
  });
});
