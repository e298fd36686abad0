// The Kubernetes API stand-in (test/helpers/kube/) driven by the REAL helm v3.17.3 and kubectl: the
// Helmfile target (issue 8) will test its inventory, ownership and uninstall code against it, so this
// file proves that helm's own install / list / upgrade / status / get values / uninstall, --wait,
// RBAC refusals and connection failures behave against the stand-in as against a cluster. If helm is
// missing, every test here fails with the command that fetches it (`npm run tools`).
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { helmCli, kubectlCli } from "../helpers/kube/helm-cli.js";
import type { KubeCli } from "../helpers/kube/helm-cli.js";
import { storedReleases } from "../helpers/kube/helm-releases.js";
import { startKubeStandin } from "../helpers/kube/server.js";
import type { KubeStandin } from "../helpers/kube/server.js";
import type { KubeObject } from "../helpers/kube/store.js";
import { helmPath } from "../helpers/kube/tools.js";

const CHART = fileURLToPath(new URL("../fixtures/charts/greeter", import.meta.url));
// No OpenAPI document is served; helm would otherwise fetch it to validate the rendered manifests.
const NO_OPENAPI = "--disable-openapi-validation";

interface HelmListEntry {
  name: string;
  namespace: string;
  revision: string;
  status: string;
  chart: string;
}

describe("Kubernetes API stand-in with the real helm", () => {
  let work: string;
  let standin: KubeStandin;
  /** helm as a tenant whose role covers namespace team-a only. */
  let tenantHelm: KubeCli;
  let adminHelm: KubeCli;
  let tenantKubectl: KubeCli;
  let tenantKubeconfig: string;

  const names = (objects: readonly KubeObject[]): string[] =>
    objects.map((o) => `${o.kind}/${o.metadata.name}`).sort();
  const listJson = async (helm: KubeCli, ...args: string[]): Promise<HelmListEntry[]> => {
    const result = await helm(["list", "-o", "json", ...args]);
    expect(result.exitCode, result.stderr).toBe(0);
    return JSON.parse(result.stdout) as HelmListEntry[];
  };

  // Without helm every test FAILS (never skips) with the message that says how to fetch it.
  beforeEach(() => {
    helmPath();
  });

  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), "croncd-kube-standin-"));
    standin = await startKubeStandin();
    standin.grant("tenant-token", { user: "tenant-a", namespaces: ["team-a"] });
    standin.grant("admin-token", { user: "admin", namespaces: "*" });
    tenantKubeconfig = await standin.writeKubeconfig(path.join(work, "tenant.kubeconfig"), {
      token: "tenant-token",
      namespace: "team-a",
    });
    const adminConfig = await standin.writeKubeconfig(path.join(work, "admin.kubeconfig"), {
      token: "admin-token",
      namespace: "team-a",
    });
    const home = path.join(work, "home");
    tenantHelm = await helmCli({ kubeconfig: tenantKubeconfig, home });
    adminHelm = await helmCli({ kubeconfig: adminConfig, home });
    tenantKubectl = await kubectlCli({ kubeconfig: tenantKubeconfig, home });
  });

  afterAll(async () => {
    await standin?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it("installs, lists by release label, upgrades, reports status and values, and uninstalls a chart", async () => {
    const install = await tenantHelm([
      "install",
      "web",
      CHART,
      NO_OPENAPI,
      "--wait",
      "--timeout",
      "60s",
      "--labels",
      "croncd.io/target=team-a",
    ]);
    expect(install.exitCode, install.stderr).toBe(0);
    expect(names(standin.objects({ namespace: "team-a", name: "web" }))).toEqual([
      "Deployment/web",
      "Service/web",
      "ServiceAccount/web",
    ]);
    // The Secret helm stored as protobuf is readable, labelled as helm's own records are.
    expect(storedReleases(standin.objects({ namespace: "team-a" }))).toEqual([
      {
        name: "web",
        namespace: "team-a",
        revision: 1,
        status: "deployed",
        labels: { "croncd.io/target": "team-a" },
        chart: "greeter-0.1.0",
      },
    ]);
    // The chart's stringData reaches the API's `data`, base64, as on a cluster.
    const [credentials] = standin.objects({ kind: "Secret", name: "web-credentials" });
    expect(credentials?.data).toEqual({ password: Buffer.from("not-a-real-password").toString("base64") });

    expect(await listJson(tenantHelm)).toMatchObject([{ name: "web", revision: "1", status: "deployed" }]);
    // helm ≥ 3.13 filters on release labels: the way a target finds the releases it owns.
    expect(await listJson(tenantHelm, "-l", "croncd.io/target=team-a")).toMatchObject([{ name: "web" }]);
    expect(await listJson(tenantHelm, "-l", "croncd.io/target=team-b")).toEqual([]);

    const upgrade = await tenantHelm([
      "upgrade",
      "--install",
      "web",
      CHART,
      NO_OPENAPI,
      "--set",
      "greeting=hi",
    ]);
    expect(upgrade.exitCode, upgrade.stderr).toBe(0);
    const [config] = standin.objects({ kind: "ConfigMap", name: "web-config" });
    expect(config?.data).toEqual({ greeting: "hi" });
    // Upgrade merges release labels: the one set at install is still there.
    expect(await listJson(tenantHelm, "-l", "croncd.io/target=team-a")).toMatchObject([
      { name: "web", revision: "2", status: "deployed" },
    ]);

    const values = await tenantHelm(["get", "values", "web", "-o", "json"]);
    expect(values.exitCode, values.stderr).toBe(0);
    expect(JSON.parse(values.stdout)).toEqual({ greeting: "hi" });
    const status = await tenantHelm(["status", "web", "-o", "json"]);
    expect(status.exitCode, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({
      name: "web",
      version: 2,
      info: { status: "deployed" },
    });

    const uninstall = await tenantHelm(["uninstall", "web"]);
    expect(uninstall.exitCode, uninstall.stderr).toBe(0);
    expect(uninstall.stdout).toContain('release "web" uninstalled');
    // Every object of the release, its ReplicaSet (garbage-collected) and helm's records are gone.
    expect(
      names(standin.objects({ namespace: "team-a" }).filter((o) => o.metadata.name.startsWith("web"))),
    ).toEqual([]);
    expect(storedReleases(standin.objects())).toEqual([]);
    expect(await listJson(tenantHelm)).toEqual([]);
  });

  it("shows a live edit made behind helm's back, and helm's upgrade puts the chart's fields back", async () => {
    const install = await tenantHelm(["install", "edited", CHART, NO_OPENAPI]);
    expect(install.exitCode, install.stderr).toBe(0);

    standin.edit("Deployment", "team-a", "edited", (deployment) => {
      const spec = deployment.spec as { replicas: number };
      spec.replicas = 3;
    });
    const live = await tenantKubectl(["get", "deployment", "edited", "-o", "jsonpath={.spec.replicas}"]);
    expect(live.exitCode, live.stderr).toBe(0);
    expect(live.stdout).toBe("3");

    // helm 3 patches from a three-way merge (old manifest, new manifest, live object), so the drifted
    // field comes back even though the chart did not change.
    const upgrade = await tenantHelm(["upgrade", "edited", CHART, NO_OPENAPI, "--wait", "--timeout", "60s"]);
    expect(upgrade.exitCode, upgrade.stderr).toBe(0);
    const healed = await tenantKubectl(["get", "deployment", "edited", "-o", "jsonpath={.spec.replicas}"]);
    expect(healed.stdout).toBe("1");
  });

  it("refuses a namespace outside the tenant's role with helm's own RBAC error, and writes nothing there", async () => {
    const install = await tenantHelm(["install", "intruder", CHART, NO_OPENAPI, "--namespace", "team-b"]);
    expect(install.exitCode).toBe(1);
    expect(install.stderr).toMatch(/^Error: INSTALLATION FAILED: /);
    expect(install.stderr).toContain('is forbidden: User "tenant-a" cannot');
    expect(install.stderr).toContain('in the namespace "team-b"');
    expect(standin.objects({ namespace: "team-b" })).toEqual([]);

    // Listing across all namespaces needs a cluster-wide right a tenant lacks; an admin has it.
    const everywhere = await tenantHelm(["list", "--all-namespaces"]);
    expect(everywhere.exitCode).toBe(1);
    expect(everywhere.stderr).toContain(
      'secrets is forbidden: User "tenant-a" cannot list resource "secrets" in API group "" at the cluster scope',
    );
    const adminInstall = await adminHelm(["install", "other", CHART, NO_OPENAPI, "--namespace", "team-b"]);
    expect(adminInstall.exitCode, adminInstall.stderr).toBe(0);
    expect(await listJson(adminHelm, "--all-namespaces", "--filter", "^other$")).toMatchObject([
      { name: "other", namespace: "team-b" },
    ]);
  });

  it("rolls an --atomic upgrade back when its new pod template never becomes ready", async () => {
    const install = await tenantHelm(["install", "rolled", CHART, NO_OPENAPI, "--wait", "--timeout", "60s"]);
    expect(install.exitCode, install.stderr).toBe(0);
    // Only the broken image never gets ready, so the rollback to the previous template does.
    standin.setDeploymentsReady((deployment) => !JSON.stringify(deployment.spec).includes(":broken"));
    try {
      const upgrade = await tenantHelm([
        "upgrade",
        "rolled",
        CHART,
        NO_OPENAPI,
        "--atomic",
        "--timeout",
        "3s",
        "--set",
        "image=registry.invalid/greeter:broken",
      ]);
      expect(upgrade.exitCode).toBe(1);
      expect(upgrade.stderr).toContain(
        "Error: UPGRADE FAILED: release rolled failed, and has been rolled back due to atomic being set: context deadline exceeded",
      );
    } finally {
      standin.setDeploymentsReady(true);
    }
    const live = await tenantKubectl([
      "get",
      "deployment",
      "rolled",
      "-o",
      "jsonpath={.spec.template.spec.containers[0].image}",
    ]);
    expect(live.stdout).toBe("registry.invalid/greeter:1.0");
    expect(
      storedReleases(standin.objects({ namespace: "team-a" })).filter((r) => r.name === "rolled"),
    ).toMatchObject([
      { revision: 1, status: "superseded" },
      { revision: 2, status: "failed" },
      { revision: 3, status: "deployed" },
    ]);
  });

  it("keeps release records as ConfigMaps with HELM_DRIVER=configmap", async () => {
    const helm = await helmCli({
      kubeconfig: tenantKubeconfig,
      home: path.join(work, "home"),
      env: { HELM_DRIVER: "configmap" },
    });
    const install = await helm([
      "install",
      "mapped",
      CHART,
      NO_OPENAPI,
      "--labels",
      "croncd.io/target=team-a",
    ]);
    expect(install.exitCode, install.stderr).toBe(0);
    expect(names(standin.objects({ kind: "ConfigMap", namespace: "team-a" }))).toContain(
      "ConfigMap/sh.helm.release.v1.mapped.v1",
    );
    expect(storedReleases(standin.objects({ kind: "ConfigMap" }))).toEqual([
      {
        name: "mapped",
        namespace: "team-a",
        revision: 1,
        status: "deployed",
        labels: { "croncd.io/target": "team-a" },
        chart: "greeter-0.1.0",
      },
    ]);
    expect(await listJson(helm, "-l", "croncd.io/target=team-a")).toMatchObject([
      { name: "mapped", status: "deployed" },
    ]);
  });

  it("lets --wait fail with helm's timeout while Deployments are not ready, and succeed once they are", async () => {
    standin.setDeploymentsReady(false);
    try {
      const install = await tenantHelm(["install", "slow", CHART, NO_OPENAPI, "--wait", "--timeout", "3s"]);
      expect(install.exitCode).toBe(1);
      expect(install.stderr).toContain("Error: INSTALLATION FAILED: context deadline exceeded");
      expect(
        storedReleases(standin.objects({ namespace: "team-a" })).filter((r) => r.name === "slow"),
      ).toMatchObject([{ revision: 1, status: "failed" }]);
    } finally {
      standin.setDeploymentsReady(true);
    }
    const retry = await tenantHelm([
      "upgrade",
      "--install",
      "slow",
      CHART,
      NO_OPENAPI,
      "--wait",
      "--timeout",
      "60s",
    ]);
    expect(retry.exitCode, retry.stderr).toBe(0);
    expect(await listJson(tenantHelm, "--filter", "^slow$")).toMatchObject([
      { revision: "2", status: "deployed" },
    ]);
  });

  it("makes helm report an unreachable cluster when nothing listens, when the server is silent, and recovers", async () => {
    await standin.setNetwork("refusing");
    try {
      const refused = await tenantHelm(["list"]);
      expect(refused.exitCode).toBe(1);
      expect(refused.stderr).toContain("Error: Kubernetes cluster unreachable:");
      expect(refused.stderr).toContain("connection refused");

      // Accepted connections that never answer: client-go gives up on the TLS handshake by itself.
      await standin.setNetwork("silent");
      const silent = await tenantHelm(["list"]);
      expect(silent.exitCode).toBe(1);
      expect(silent.stderr).toContain("Error: Kubernetes cluster unreachable:");
      expect(silent.stderr).toContain("TLS handshake timeout");
    } finally {
      await standin.setNetwork("up");
    }
    const back = await tenantHelm(["list", "-q"]);
    expect(back.exitCode, back.stderr).toBe(0);
  });

  it("rejects an unknown token as a cluster rejects it", async () => {
    const config = await standin.writeKubeconfig(path.join(work, "stale.kubeconfig"), {
      token: "revoked-token",
      namespace: "team-a",
    });
    const helm = await helmCli({ kubeconfig: config, home: path.join(work, "home") });
    const result = await helm(["list"]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(
      "Error: Kubernetes cluster unreachable: the server has asked for the client to provide credentials",
    );
    // Refused at authentication, before any resource was touched; the log keeps no token.
    const refused = standin.requests.filter((request) => request.status === 401);
    expect(refused).toEqual([expect.objectContaining({ path: "/version", user: undefined })]);
    expect(JSON.stringify(standin.requests)).not.toContain("revoked-token");
  });
});
