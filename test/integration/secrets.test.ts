// sops secrets on a real Swarm, with real sops files (test/fixtures/sops, written by the real sops):
// a stack with a sops env file and a sops-encrypted Swarm secret is deployed; the secret changes
// in git; the service rolls onto the new secret object and the old one is removed; no plaintext
// is left in the log, the report, the temporary files or any label. croncd creates the secret from
// memory: no file holds the plaintext at any moment of a run, so a run killed with SIGKILL (or by
// the OOM killer) leaves none behind either. A cancelled job (SIGTERM) removes its workspace.
import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { actionsByStack, readReport, runCroncd, writeConfig } from "../helpers/croncd.js";
import {
  docker,
  listServices,
  readInServiceContainer,
  removeAllStacks,
  TEST_IMAGE,
  uniqueStackName,
  waitFor,
} from "../helpers/docker.js";
import { createBareRepo, TestRepo } from "../helpers/git-repo.js";
import { rotationAgeKeys, sopsFixture } from "../helpers/sops-fixtures.js";

const stack = uniqueStackName("sops");

const compose = `services:
  app:
    image: ${TEST_IMAGE}
    command: ["sleep", "3600"]
    environment:
      FROM_SOPS_ENV: \${key}
    secrets: [db]
configs: {}
secrets:
  db:
    file: ./db.sops.yaml
`;

/** Plaintexts of the rotated secret (test/fixtures/sops/EXPECTED.json) that must never surface. */
const PLAINTEXTS = ["global_age", "wcFMAxYpv4YXKfBAARAAVzE7"]; // helm-secrets: global_secret, part of the PGP block

describe("sops secrets on a real Swarm", () => {
  let work: string;
  let bare: string;
  let repo: TestRepo;
  let configFile: string;
  let scratch: string;
  let ageKeys: string;
  const reportFile = () => path.join(work, "report.json");
  const reconcile = (env: Record<string, string> = {}) =>
    runCroncd(["reconcile", "--config", configFile, "--report", reportFile()], {
      cwd: work,
      env: { SOPS_AGE_KEY: ageKeys, TMPDIR: scratch, ...env },
    });
  const secretNames = async () =>
    (
      await docker([
        "secret",
        "ls",
        "--format",
        "{{.Name}}",
        "--filter",
        `label=com.docker.stack.namespace=${stack}`,
      ])
    )
      .split("\n")
      .filter(Boolean)
      .sort();
  const secretInContainer = () => readInServiceContainer(`${stack}_app`, "/run/secrets/db");

  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), "croncd-sops-"));
    scratch = path.join(work, "tmp");
    await mkdir(scratch);
    ageKeys = await rotationAgeKeys();
    bare = await createBareRepo(work, "stacks.git");
    repo = await TestRepo.create(path.join(work, "checkout"), {
      [`stacks/${stack}/compose.yaml`]: compose,
      [`stacks/${stack}/app.sops.env`]: await sopsFixture("flux-kustomize-controller/envs-env.env"),
      [`stacks/${stack}/db.sops.yaml`]: await sopsFixture("flux-kustomize-controller/algorithms-age.yaml"),
    });
    await repo.push(bare);
    configFile = await writeConfig(
      work,
      [{ name: "platform", url: bare }],
      [{ name: stack, source: "platform", path: "stacks", keepRevisions: 0 }],
    );
  });

  afterAll(async () => {
    await removeAllStacks(stack);
    await rm(work, { recursive: true, force: true });
  });

  it("deploys the decrypted secret and env values", async () => {
    const result = await reconcile();
    expect(result.exitCode, result.output).toBe(0);
    const [service] = await listServices(`com.docker.stack.namespace=${stack}`);
    const env = (service?.Spec.TaskTemplate.ContainerSpec as { Env?: string[] }).Env ?? [];
    expect(env).toContain("FROM_SOPS_ENV=value");
    const names = await secretNames();
    expect(names).toEqual([expect.stringMatching(new RegExp(`^${stack}_db-[0-9a-f]{12}$`))]);
    expect(await secretInContainer()).toMatch(/stringData:\s+key: value/);
    expect(await readdir(scratch)).toEqual([]);
    // The labels `docker stack deploy` would give it, so `docker stack rm` and croncd's cleanup of
    // old revisions find it; and croncd's own mark.
    const [secret] = JSON.parse(await docker(["secret", "inspect", names[0] as string])) as {
      Spec: { Labels: Record<string, string> };
    }[];
    expect(secret?.Spec.Labels).toEqual({
      "com.docker.stack.namespace": stack,
      "io.croncd.managed-by": "croncd",
    });
  });

  it("rolls the service onto a changed secret, removes the old object and leaks nothing", async () => {
    const [before] = await secretNames();
    await repo.write(`stacks/${stack}/db.sops.yaml`, await sopsFixture("helm-secrets/secrets.age.yaml"));
    await repo.commit("rotate the db secret");
    await repo.push(bare);

    const result = await reconcile();
    expect(result.exitCode, result.output).toBe(0);
    expect(actionsByStack(await readReport(reportFile()))).toEqual({ [stack]: "configured" });
    const after = await secretNames();
    expect(after).toHaveLength(1);
    expect(after[0]).not.toBe(before);
    expect(result.output).toContain(`removed unused ${before}`);
    await waitFor(async () => (await secretInContainer()).includes("global_secret: global_age"), {
      timeoutMs: 60_000,
      what: "the new secret in the container",
    });

    const report = await readFile(reportFile(), "utf8");
    const [service] = await listServices(`com.docker.stack.namespace=${stack}`);
    const labels = JSON.stringify([
      service?.Spec.Labels,
      await docker(["secret", "inspect", after[0] as string]),
    ]);
    const decrypted = await secretInContainer();
    const plaintextDigest = createHash("sha256").update(decrypted).digest("hex");
    for (const text of [result.output, report, labels]) {
      for (const plaintext of PLAINTEXTS) expect(text).not.toContain(plaintext);
      expect(text).not.toContain(plaintextDigest);
      expect(text).not.toContain(plaintextDigest.slice(0, 12));
    }
    expect(await readdir(scratch)).toEqual([]);
  });

  it("a wrong key fails the stack with a message naming the file, and deploys nothing", async () => {
    const before = await listServices(`com.docker.stack.namespace=${stack}`);
    await repo.write(
      `stacks/${stack}/db.sops.yaml`,
      await sopsFixture("flux-kustomize-controller/global-secret.yaml"),
    );
    await repo.commit("a secret for a key this runner does not have");
    await repo.push(bare);
    const result = await reconcile();
    expect(result.exitCode).toBe(1);
    expect(result.output).toContain(`stack ${stack}: failed — render failed: stacks/${stack}/db.sops.yaml:`);
    const after = await listServices(`com.docker.stack.namespace=${stack}`);
    expect(after[0]?.Version.Index).toBe(before[0]?.Version.Index);
  });

  it("a tampered value fails the stack, and deploys nothing", async () => {
    const before = await listServices(`com.docker.stack.namespace=${stack}`);
    const original = (await sopsFixture("helm-secrets/secrets.age.yaml")).toString();
    const tampered = original.replace(/data:8J9W/, "data:9J9W");
    expect(tampered).not.toBe(original);
    await repo.write(`stacks/${stack}/db.sops.yaml`, tampered);
    await repo.commit("tampered");
    await repo.push(bare);
    const result = await reconcile();
    expect(result.exitCode).toBe(1);
    expect(result.output).toContain(`stacks/${stack}/db.sops.yaml`);
    // ("value" itself is a secret of this stack's env file, so the log masks that word.)
    expect(result.output).toMatch(/could not decrypt global_secret — wrong key or tampered|MAC mismatch/);
    const after = await listServices(`com.docker.stack.namespace=${stack}`);
    expect(after[0]?.Version.Index).toBe(before[0]?.Version.Index);
  });

  describe("a cancelled job", () => {
    let hanging: Server;
    let socket: string;
    const connections = new Set<Socket>();
    let opened = 0;

    beforeAll(async () => {
      await repo.write(`stacks/${stack}/db.sops.yaml`, await sopsFixture("helm-secrets/secrets.age.yaml"));
      await repo.commit("valid again");
      await repo.push(bare);
      // A Docker endpoint that accepts connections and never answers: croncd stops after render,
      // with its checkout in its workspace, waiting for docker.
      socket = path.join(work, "hanging.sock");
      hanging = createServer((connection) => {
        opened += 1;
        connections.add(connection);
        connection.on("close", () => connections.delete(connection));
        connection.resume();
      });
      await new Promise<void>((resolve) => hanging.listen(socket, resolve));
    });

    afterAll(async () => {
      for (const connection of connections) connection.destroy();
      await new Promise((resolve) => hanging.close(resolve));
    });

    it("removes its workspace on SIGTERM", async () => {
      const hangingConfig = await writeConfig(
        path.join(work, "hanging"),
        [{ name: "platform", url: bare }],
        [{ name: stack, source: "platform", path: "stacks" }],
      );
      // writeConfig pins docker.host to the test Swarm; this run points it at the silent socket.
      const config = (await readFile(hangingConfig, "utf8")).replace(/host: .*/, `host: unix://${socket}`);
      await writeFile(hangingConfig, config);
      const child = execa(
        "node",
        [
          fileURLToPath(new URL("../../bin/croncd.js", import.meta.url)),
          "reconcile",
          "--config",
          hangingConfig,
        ],
        {
          env: { SOPS_AGE_KEY: ageKeys, TMPDIR: scratch },
          reject: false,
        },
      );
      // Wait until the checkout is in the workspace and croncd waits on docker, then cancel the
      // job the way a CI runner does.
      await waitFor(
        async () => opened > 0 && (await listFiles(scratch)).some((file) => file.endsWith("db.sops.yaml")),
        { timeoutMs: 60_000, what: "the checkout in croncd's workspace and a docker call in flight" },
      );
      child.kill("SIGTERM");
      const result = await child;
      expect(result.exitCode).toBe(143);
      expect(await listFiles(scratch)).toEqual([]);
      // Nothing croncd started keeps running after it: its docker call, connected to the silent
      // socket, went with it (the connection closes only when that process has ended).
      await waitFor(() => connections.size === 0, { timeoutMs: 10_000, what: "croncd's docker call to end" });
    });
  });

  describe("a killed job", () => {
    it("never has the plaintext in a file, so a SIGKILL mid-rollout leaves none behind", async () => {
      // A second secret from the same sops file: a new object, so the run deploys and then watches
      // the rollout while the decrypted value is in use. The update's 30 s monitor period keeps
      // croncd watching until it is killed.
      const withSecondSecret = compose.replace(
        "secrets: [db]",
        "secrets: [db, db2]\n    deploy:\n      update_config: { monitor: 30s }",
      );
      await repo.write(
        `stacks/${stack}/compose.yaml`,
        `${withSecondSecret}  db2:\n    file: ./db.sops.yaml\n`,
      );
      await repo.commit("a second secret");
      await repo.push(bare);
      const child = execa(
        "node",
        [fileURLToPath(new URL("../../bin/croncd.js", import.meta.url)), "reconcile", "--config", configFile],
        { env: { SOPS_AGE_KEY: ageKeys, TMPDIR: scratch }, reject: false },
      );
      const seen = new Set<string>();
      const rolledOut = async () => {
        // Every file of the test's folder (the run's workspace, TMPDIR, its parent) at this moment.
        for (const file of await filesContaining(work, PLAINTEXTS)) seen.add(file);
        const [service] = await listServices(`com.docker.stack.namespace=${stack}`);
        const secrets = (service?.Spec.TaskTemplate.ContainerSpec as { Secrets?: { SecretName: string }[] })
          .Secrets;
        return (secrets ?? []).some((secret) => secret.SecretName.startsWith(`${stack}_db2-`));
      };
      await waitFor(rolledOut, { timeoutMs: 120_000, what: "the service deployed with the second secret" });
      child.kill("SIGKILL");
      const result = await child;
      expect(result.signal).toBe("SIGKILL");
      expect(await secretNames()).toContainEqual(expect.stringMatching(new RegExp(`^${stack}_db2-`)));
      expect([...seen]).toEqual([]);
      expect(await filesContaining(work, PLAINTEXTS)).toEqual([]);
    });
  });
});

/** Regular files under `dir` that contain any of `needles` (files that vanish meanwhile are skipped). */
async function filesContaining(dir: string, needles: readonly string[]): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => [])) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    const content = await readFile(file).catch(() => undefined);
    if (content && needles.some((needle) => content.includes(needle))) found.push(file);
  }
  return found;
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.map((entry) => path.join(entry.parentPath, entry.name));
}
