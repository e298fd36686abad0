// The Helmfile target's lock: a ConfigMap in the inventory namespace, written by the REAL kubectl
// against the Kubernetes API stand-in (test/helpers/kube), which answers create conflicts
// (AlreadyExists), stale resourceVersions (Conflict) and DELETE preconditions as the API server does.
import { cp, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { acquireLock, LockBusyError } from "../../src/lock/acquire.js";
import { newRecord } from "../../src/lock/record.js";
import type { LockStore } from "../../src/lock/store.js";
import { helmfileLock } from "../../src/targets/helmfile/lock.js";
import type { KubeLockVersion } from "../../src/targets/helmfile/lock-store.js";
import { stringify } from "yaml";
import { runCroncd, startCroncd } from "../helpers/croncd.js";
import { waitFor } from "../helpers/docker.js";
import { createBareRepo, TestRepo } from "../helpers/git-repo.js";
import { FAKE_HELMFILE, helmfileConfig, toolsDir } from "../helpers/helmfile-target.js";
import { kubectlCli, type KubeCli } from "../helpers/kube/helm-cli.js";
import { startKubeStandin, type KubeStandin } from "../helpers/kube/server.js";
import { kubectlPath } from "../helpers/kube/tools.js";

const CHART = fileURLToPath(new URL("../fixtures/charts/greeter", import.meta.url));
const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

describe("the Helmfile target's lock (real kubectl, API stand-in)", () => {
  let work: string;
  let standin: KubeStandin;
  let env: NodeJS.ProcessEnv;
  let kubectl: KubeCli;
  const lockObjects = () => standin.objects({ kind: "ConfigMap", namespace: "team-a", name: "croncd-lock" });
  const openStore = async (lock: { wait?: number; ttl?: number } = {}) => {
    const config = helmfileConfig({ lock });
    const targetLock = helmfileLock(config, env, { kubectl: kubectlPath() });
    return {
      store: (await targetLock.open()) as LockStore<KubeLockVersion>,
      timing: targetLock.timing,
    };
  };

  beforeEach(() => {
    kubectlPath();
  });

  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), "croncd-kube-lock-"));
    standin = await startKubeStandin();
    standin.grant("tenant-token", { user: "tenant-a", namespaces: ["team-a"] });
    const kubeconfig = await standin.writeKubeconfig(path.join(work, "tenant.kubeconfig"), {
      token: "tenant-token",
      namespace: "team-a",
    });
    env = { TEST_KUBECONFIG: kubeconfig };
    kubectl = await kubectlCli({ kubeconfig, home: path.join(work, "home") });
  });

  afterAll(async () => {
    await standin.stop();
    await rm(work, { recursive: true, force: true });
  });

  it("lets one of two runs have it, tells the other who holds it, and removes it on release", async () => {
    const { store, timing } = await openStore({ wait: 0 });
    const attempts = await Promise.allSettled(
      ["https://ci.example/jobs/1", "https://ci.example/jobs/2"].map((holder) =>
        acquireLock({ store, timing, holder, log: silent }),
      ),
    );
    const held = attempts.filter((attempt) => attempt.status === "fulfilled");
    const refused = attempts.filter((attempt) => attempt.status === "rejected");
    expect(held).toHaveLength(1);
    expect(refused).toHaveLength(1);
    const handle = (held[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof acquireLock>>>).value;
    const error = (refused[0] as PromiseRejectedResult).reason as Error;
    expect(error).toBeInstanceOf(LockBusyError);
    expect(error.message).toContain(
      `ConfigMap team-a/croncd-lock is held by ${handle.record.holder} since ${handle.record.acquiredAt.toISOString()}`,
    );
    expect(error.message).toContain(
      "to clear it now: kubectl --namespace team-a delete configmap croncd-lock",
    );

    // What a person sees with kubectl.
    const shown = await kubectl(["get", "configmap", "croncd-lock", "-o", "jsonpath={.data.holder}"]);
    expect(shown.stdout).toBe(handle.record.holder);
    expect(lockObjects()[0]?.metadata.labels).toMatchObject({ "croncd.io/lock": "true" });

    await handle.release();
    expect(lockObjects()).toEqual([]);
    const deletes = standin.requests.filter((r) => r.method === "DELETE" && r.path.endsWith("/croncd-lock"));
    expect(deletes.map((r) => r.status)).toEqual([200]);
  });

  it("renews with the resourceVersion, and a takeover or release never removes a lock that changed since it was read", async () => {
    const { store } = await openStore();
    const now = new Date();
    const first = await store.create(newRecord("https://ci.example/jobs/old", "old", now, 60));
    expect(first).toBeDefined();
    const old = first as KubeLockVersion;
    // Its holder renews it: the version another run read is now out of date.
    const renewed = await store.renew(old, newRecord("https://ci.example/jobs/old", "old", now, 120));
    expect(renewed?.uid).toBe(old.uid);
    expect(renewed?.resourceVersion).not.toBe(old.resourceVersion);
    expect(await store.renew(old, newRecord("x", "x", now, 60))).toBeUndefined();
    expect(
      await store.takeOver(old, newRecord("https://ci.example/jobs/new", "new", now, 60)),
    ).toBeUndefined();
    expect((await store.read())?.record?.holder).toBe("https://ci.example/jobs/old");

    // Taken over from the current version: a new ConfigMap (new uid); the old holder's release leaves it.
    const taken = await store.takeOver(
      renewed as KubeLockVersion,
      newRecord("https://ci.example/jobs/new", "new", now, 60),
    );
    expect(taken?.uid).not.toBe(old.uid);
    await store.release(old);
    expect((await store.read())?.record?.holder).toBe("https://ci.example/jobs/new");

    // (releaseSync, the exit listener's, sends the same request; it cannot be tried here: it blocks
    // this process, which is also the stand-in's server.)
    await store.release(taken as KubeLockVersion);
    expect(await store.read()).toBeUndefined();
  });

  it("takes over a lock whose holder was killed, once it expired", async () => {
    const { store, timing } = await openStore({ wait: 5, ttl: 30 });
    const past = new Date(Date.now() - 120_000);
    await store.create(newRecord("https://ci.example/jobs/killed", "killed", past, 60));
    const lines: string[] = [];
    const handle = await acquireLock({
      store,
      timing,
      holder: "https://ci.example/jobs/next",
      log: { ...silent, warn: (line) => lines.push(line) },
    });
    expect(lines).toEqual([
      expect.stringMatching(
        /^ConfigMap team-a\/croncd-lock: taking over the expired lock held by https:\/\/ci\.example\/jobs\/killed since /,
      ),
    ]);
    expect(lockObjects()[0]?.data).toMatchObject({ holder: "https://ci.example/jobs/next" });
    await handle.release();
    expect(lockObjects()).toEqual([]);
  });

  it("refuses a ConfigMap of the lock's name that croncd did not write", async () => {
    const made = await kubectl(["create", "configmap", "croncd-lock", "--from-literal=owner=someone"]);
    expect(made.exitCode, made.stderr).toBe(0);
    const { store, timing } = await openStore();
    await expect(acquireLock({ store, timing, holder: "me", log: silent })).rejects.toThrow(
      "ConfigMap team-a/croncd-lock exists but is not a croncd lock",
    );
    expect(lockObjects()[0]?.data).toEqual({ owner: "someone" });
    await kubectl(["delete", "configmap", "croncd-lock"]);
  });
});

describe("the Helmfile target's lock in a reconcile of the real croncd command", () => {
  let work: string;
  let standin: KubeStandin;
  let configFile: string;
  let baseEnv: Record<string, string>;
  const lockObjects = () => standin.objects({ kind: "ConfigMap", namespace: "team-a", name: "croncd-lock" });
  const releases = () =>
    standin
      .objects({ kind: "Secret", namespace: "team-a" })
      .filter((s) => s.metadata.name.startsWith("sh.helm"));

  beforeEach(() => {
    kubectlPath();
  });

  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), "croncd-kube-lock-cli-"));
    standin = await startKubeStandin();
    standin.grant("tenant-token", { user: "tenant-a", namespaces: ["team-a"] });
    const kubeconfig = await standin.writeKubeconfig(path.join(work, "tenant.kubeconfig"), {
      token: "tenant-token",
      namespace: "team-a",
    });
    const bare = await createBareRepo(work, "config.git");
    const checkout = path.join(work, "checkout");
    const repo = await TestRepo.create(checkout, {
      "k8s/helmfile.yaml": [
        "helmDefaults:",
        "  disableOpenAPIValidation: true",
        "releases:",
        "  - name: web",
        "    namespace: team-a",
        "    chart: ./charts/greeter",
        "",
      ].join("\n"),
    });
    await cp(CHART, path.join(checkout, "k8s/charts/greeter"), { recursive: true });
    await repo.commit("a release");
    await repo.push(bare);
    configFile = path.join(work, "croncd.yaml");
    await writeFile(
      configFile,
      stringify({
        sources: [{ name: "platform", url: bare }],
        targets: [
          {
            name: "team-a",
            type: "helmfile",
            source: "platform",
            path: "k8s/helmfile.yaml",
            kube: { kubeconfigEnv: "TEST_KUBECONFIG" },
            inventory: { namespace: "team-a" },
            timeout: 20,
          },
        ],
      }),
    );
    const home = path.join(work, "helm-home");
    baseEnv = {
      TEST_KUBECONFIG: kubeconfig,
      PATH: [path.dirname(FAKE_HELMFILE), toolsDir(), process.env.PATH ?? ""].join(path.delimiter),
      HELM_CACHE_HOME: path.join(home, "cache"),
      HELM_CONFIG_HOME: path.join(home, "config"),
      HELM_DATA_HOME: path.join(home, "data"),
    };
  });

  afterAll(async () => {
    await standin.stop();
    await rm(work, { recursive: true, force: true });
  });

  it("holds the ConfigMap from before the first change, and a cancelled run (SIGTERM) leaves none", async () => {
    const gate = path.join(work, "gate");
    const cancelled = startCroncd(["reconcile", "--config", configFile], {
      cwd: work,
      env: { ...baseEnv, CI_JOB_URL: "https://ci.example/jobs/cancelled", FAKE_HELMFILE_APPLY_GATE: gate },
    });
    let output = "";
    cancelled.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    await waitFor(() => output.includes("ConfigMap team-a/croncd-lock: lock taken for this run"), {
      timeoutMs: 60_000,
      what: "the run to take the lock",
    });
    // Taken before helmfile apply changed anything (apply waits at the gate): no release yet.
    expect(lockObjects()[0]?.data).toMatchObject({ holder: "https://ci.example/jobs/cancelled" });
    expect(releases()).toEqual([]);
    cancelled.kill("SIGTERM");
    const ended = await cancelled;
    await writeFile(gate, "");
    expect(ended.exitCode).toBe(143);
    // Released synchronously on the way out, with the uid precondition.
    expect(lockObjects()).toEqual([]);

    const next = await runCroncd(["reconcile", "--config", configFile], {
      cwd: work,
      env: { ...baseEnv, CI_JOB_URL: "https://ci.example/jobs/next" },
    });
    expect(next.exitCode, next.output).toBe(0);
    expect(next.output).toContain(
      "ConfigMap team-a/croncd-lock: lock taken for this run (https://ci.example/jobs/next)",
    );
    expect(releases().length).toBeGreaterThan(0);
    expect(lockObjects()).toEqual([]);
  });
});
