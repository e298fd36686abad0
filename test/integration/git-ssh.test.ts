// Pulling a source over SSH with a deploy key (auth.sshKeyFileEnv / auth.knownHostsFileEnv) from a real
// OpenSSH sshd (test/helpers/ssh-server.ts). The deploy key's path and material must never reach the
// log or the report; a wrong key or a wrong host key must fail the run with a message saying so.
import { createHmac } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm, rmdir, stat, writeFile } from "node:fs/promises";
import { tmpdir, userInfo } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GitFetchError, fetchCommit } from "../../src/ports/git.js";
import {
  runCroncd,
  writeConfig,
  type CroncdResult,
  type JsonReport,
  type SourceSpec,
} from "../helpers/croncd.js";
import { TEST_IMAGE } from "../helpers/docker.js";
import { createBareRepo, TestRepo } from "../helpers/git-repo.js";
import {
  generateSshKey,
  knownHostsLine,
  sshKeyFingerprint,
  startSshGitServer,
  type SshGitServer,
} from "../helpers/ssh-server.js";

const compose = `services:\n  app:\n    image: ${TEST_IMAGE}\n`;
const WITH_KNOWN_HOSTS = { sshKeyFileEnv: "DEPLOY_KEY", knownHostsFileEnv: "KNOWN_HOSTS" };

describe("git sources over SSH with a deploy key", () => {
  let work: string;
  let server: SshGitServer;
  let commit: string;
  let clientFingerprint: string;
  let wrongKey: string;
  let wrongFingerprint: string;
  let otherHostKey: string;

  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), "croncd-ssh-"));
    const served = path.join(work, "served");
    const bare = await createBareRepo(served, "stacks.git");
    const repo = await TestRepo.create(path.join(work, "checkout"), { "stacks/one/compose.yaml": compose });
    commit = await repo.head();
    await repo.push(bare);
    server = await startSshGitServer({ root: served });
    clientFingerprint = await sshKeyFingerprint(server.clientKeyFile);
    // A valid key the server does not know, and a host key the server does not have.
    await mkdir(path.join(work, "keys"));
    wrongKey = path.join(work, "keys", "not-authorized");
    await generateSshKey(wrongKey, "not-authorized");
    wrongFingerprint = await sshKeyFingerprint(wrongKey);
    otherHostKey = await generateSshKey(path.join(work, "keys", "other-host"), "other-host");
  });

  afterAll(async () => {
    await server?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  interface Run {
    result: CroncdResult;
    reportText: string;
    /** What sshd logged during this run only. */
    sshdLog: string;
  }

  const validate = async (
    name: string,
    auth: Record<string, string>,
    env: Record<string, string>,
  ): Promise<Run> => {
    const dir = path.join(work, name);
    const source: SourceSpec = { name: "platform", url: server.url("stacks.git"), auth };
    const config = await writeConfig(dir, [source], [{ name: "prod", source: "platform", path: "stacks" }]);
    const report = path.join(dir, "report.json");
    const logBefore = (await server.readLog()).length;
    const result = await runCroncd(["validate", "--config", config, "--report", report], {
      cwd: work,
      env: { HOME: path.join(work, "home"), ...env },
    });
    const reportText = await readFile(report, "utf8");
    return { result, reportText, sshdLog: (await server.readLog()).slice(logBefore) };
  };

  /** Neither the key file's path nor a line of its content may appear in the output or the report. */
  const expectNoKeyLeak = async ({ result, reportText }: Run, keyFile: string): Promise<void> => {
    const material = (await readFile(keyFile, "utf8"))
      .split("\n")
      .map((line) => line.trim())
      .filter((line) => line !== "" && !line.startsWith("-----"));
    expect(material.length).toBeGreaterThan(0);
    for (const [label, text] of [
      ["output", result.output],
      ["report", reportText],
    ] as const) {
      expect(text, label).not.toContain(keyFile);
      expect(text, label).not.toContain(path.basename(keyFile));
      expect(text, label).not.toMatch(/PRIVATE KEY/);
      for (const line of material) expect(text, label).not.toContain(line);
    }
  };

  const writeKnownHosts = async (name: string, content: string): Promise<string> => {
    const file = path.join(work, "keys", name);
    await writeFile(file, content);
    return file;
  };

  it("clones over SSH with the deploy key and the known_hosts file, and validates", async () => {
    const run = await validate("key-ok", WITH_KNOWN_HOSTS, {
      DEPLOY_KEY: server.clientKeyFile,
      KNOWN_HOSTS: server.knownHostsFile,
    });
    expect(run.result.exitCode, run.result.output).toBe(0);
    expect(run.result.output).toContain(`source platform: main at ${commit.slice(0, 12)}`);
    expect(run.result.output).toContain("stack one: skipped — valid: stacks/one/compose.yaml");
    expect((JSON.parse(run.reportText) as JsonReport).sources[0]?.commit).toBe(commit);
    // It really went through sshd, logged in with exactly this key.
    expect(run.sshdLog).toContain(`Accepted publickey for ${server.user} from 127.0.0.1`);
    expect(run.sshdLog).toContain(clientFingerprint);
    await expectNoKeyLeak(run, server.clientKeyFile);
  });

  it("a key the server does not accept fails the run as an authentication failure", async () => {
    const run = await validate("key-wrong", WITH_KNOWN_HOSTS, {
      DEPLOY_KEY: wrongKey,
      KNOWN_HOSTS: server.knownHostsFile,
    });
    expect(run.result.exitCode, run.result.output).toBe(1);
    // ssh said "Permission denied (publickey)", which classifyKind maps to "auth".
    expect(run.result.output).toContain("source platform: clone failed: authentication failed");
    expect(run.result.output).toContain("check the token or deploy key");
    expect((JSON.parse(run.reportText) as JsonReport).sources[0]?.commit).toBeUndefined();
    expect(run.sshdLog).toContain(`Failed publickey for ${server.user} from 127.0.0.1`);
    expect(run.sshdLog).toContain(wrongFingerprint);
    expect(run.sshdLog).not.toContain("Accepted publickey");
    await expectNoKeyLeak(run, wrongKey);
  });

  describe.each([
    ["holds a different host key", () => knownHostsLine(server.port, otherHostKey)],
    ["does not know the host", () => ""],
  ])("a known_hosts file that %s", (label, content) => {
    let run: Run;

    it("fails the run before any login, and ssh's reason is a host key verification failure", async () => {
      const knownHosts = await writeKnownHosts(`known_hosts-${label.replaceAll(" ", "-")}`, content());
      run = await validate(`host-${label.replaceAll(" ", "-")}`, WITH_KNOWN_HOSTS, {
        DEPLOY_KEY: server.clientKeyFile,
        KNOWN_HOSTS: knownHosts,
      });
      expect(run.result.exitCode, run.result.output).toBe(1);
      expect(run.result.output).toContain("source platform: clone failed:");
      expect(run.result.output).not.toContain(`main at ${commit.slice(0, 12)}`);
      // The client hung up during key exchange: the deploy key was never offered.
      expect(run.sshdLog).toMatch(/Connection closed by 127\.0\.0\.1 port \d+ \[preauth\]/);
      expect(run.sshdLog).not.toContain(clientFingerprint);
      await expectNoKeyLeak(run, server.clientKeyFile);

      // The same fetch through the git port: git's own stderr (the error's cause) names the reason.
      const dir = await mkdtemp(path.join(work, "direct-"));
      const error = await fetchCommit({
        url: server.url("stacks.git"),
        ref: "main",
        dir,
        auth: { kind: "ssh", keyFile: server.clientKeyFile, knownHostsFile: knownHosts },
      }).then(
        () => undefined,
        (failure: unknown) => failure,
      );
      expect(error).toBeInstanceOf(GitFetchError);
      expect(String((error as GitFetchError).cause)).toContain("Host key verification failed.");
    });

    it("says that the host key verification failed", () => {
      expect(run.result.output).toContain("source platform: clone failed: host key verification failed");
      expect(run.result.output).toContain("update that file, or find out who is answering instead");
    });
  });

  describe("without a known_hosts file (StrictHostKeyChecking=accept-new)", () => {
    // OpenSSH finds ~/.ssh through the password database (getpwuid), not $HOME: setting HOME for the
    // child isolates git, but cannot keep ssh away from the real file. So we look at the file ssh
    // would really write (same lookup: os.userInfo()), and put back whatever this run added there.
    const machineSshDir = path.join(userInfo().homedir, ".ssh");
    const machineKnownHosts = path.join(machineSshDir, "known_hosts");
    let fakeHome: string;
    let addedToMachineFile: string[] = [];
    let run: Run;

    it("clones: the host key is accepted on first use", async () => {
      fakeHome = path.join(work, "home-accept-new");
      await mkdir(fakeHome);
      const before = await snapshot(machineKnownHosts);
      try {
        run = await validate(
          "accept-new",
          { sshKeyFileEnv: "DEPLOY_KEY" },
          { DEPLOY_KEY: server.clientKeyFile, HOME: fakeHome },
        );
      } finally {
        addedToMachineFile = await removeOurEntries(machineKnownHosts, before, `[127.0.0.1]:${server.port}`);
      }
      expect(run.result.exitCode, run.result.output).toBe(0);
      expect(run.result.output).toContain(`source platform: main at ${commit.slice(0, 12)}`);
      expect(run.sshdLog).toContain(clientFingerprint);
      await expectNoKeyLeak(run, server.clientKeyFile);
      // Nothing went to the HOME the child was given either.
      await expect(stat(path.join(fakeHome, ".ssh"))).rejects.toThrow(/ENOENT/);
    });

    // Accept-new must not teach the runner's own ~/.ssh/known_hosts a host key: croncd points ssh at
    // a throwaway file for the run (the test above would remove such an entry again if it appeared).
    it("leaves the machine's ~/.ssh/known_hosts alone", () => {
      expect(addedToMachineFile, `added to ${machineKnownHosts}`).toEqual([]);
    });
  });
});

interface Snapshot {
  dirExisted: boolean;
  content: string | undefined;
}

async function snapshot(file: string): Promise<Snapshot> {
  const dirExisted = await stat(path.dirname(file)).then(
    () => true,
    () => false,
  );
  const content = await readFile(file, "utf8").catch(() => undefined);
  return { dirExisted, content };
}

/**
 * Removes from `file` the lines that appeared since `before` and name `host` (plain or hashed, as
 * Debian's HashKnownHosts writes them); removes the file and its directory again if they did not
 * exist before and are now empty. Returns the removed lines. Other changes are left alone.
 */
async function removeOurEntries(file: string, before: Snapshot, host: string): Promise<string[]> {
  const after = await readFile(file, "utf8").catch(() => undefined);
  if (after === undefined || after === before.content) return [];
  const previous = new Set((before.content ?? "").split("\n"));
  const lines = after.split("\n");
  const ours = lines.filter((line) => !previous.has(line) && namesHost(line, host));
  const kept = lines.filter((line) => !ours.includes(line));
  if (before.content === undefined && kept.every((line) => line.trim() === "")) {
    await rm(file, { force: true });
    if (!before.dirExisted) await rmdir(path.dirname(file)).catch(() => undefined);
  } else {
    await writeFile(file, kept.join("\n"));
  }
  return ours;
}

function namesHost(line: string, host: string): boolean {
  const field = line.trim().split(/\s+/)[0] ?? "";
  const hashed = /^\|1\|([^|]+)\|([^|]+)$/.exec(field);
  if (hashed?.[1] && hashed[2]) {
    const digest = createHmac("sha1", Buffer.from(hashed[1], "base64")).update(host).digest("base64");
    return digest === hashed[2];
  }
  return field.split(",").includes(host);
}
