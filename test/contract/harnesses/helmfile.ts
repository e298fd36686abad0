// The Helmfile target in the contract suite: releases on the Kubernetes API stand-in
// (test/helpers/kube), driven by the real helm and kubectl and the FAKE helmfile of test/fake-bin
// (real helmfile and helm-diff cannot be installed here). One helmfile per release in
// k8s/helmfile.d/, so a release leaves git when its file goes.
// With CRONCD_TEST_KUBECONFIG set (test/helpers/kube/real-cluster.ts), the same scenarios run on
// that real cluster instead, with the real helmfile and helm found on PATH.
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { inventoryName } from "../../../src/targets/helmfile/inventory.js";
import { helmCli, kubectlCli, type KubeCli } from "../../helpers/kube/helm-cli.js";
import { storedReleases } from "../../helpers/kube/helm-releases.js";
import { startKubeStandin, type KubeStandin } from "../../helpers/kube/server.js";
import { toolsDir } from "../../helpers/helmfile-target.js";
import { onRealCluster, realCluster } from "../../helpers/kube/real-cluster.js";
import { kubectlPath } from "../../helpers/kube/tools.js";
import type { TargetHarness } from "../harness.js";

const REAL = realCluster();
const NAMESPACE = REAL?.namespace ?? "contract";
const LABELS = ["a", "b", "c", "broken", "failing", "fresh", "unowned"];
/** An image a real cluster can run (the chart's default never pulls, so it never gets ready there). */
const RUNNABLE_IMAGE = "registry.k8s.io/pause:3.10";
const CHART = fileURLToPath(new URL("../../fixtures/charts/greeter", import.meta.url));
const FAKE_BIN = fileURLToPath(new URL("../../fake-bin", import.meta.url));

/** The lock's default name: the ConfigMap croncd takes in the inventory namespace. */
const LOCK = "croncd-lock";

let standin: KubeStandin;
let work: string;
let kubeconfig: string;
let helm: KubeCli;
let kubectl: KubeCli;
/** The chart, as files the config repository holds. */
let chartFiles: Record<string, string> = {};

/** Items are named as reports name releases: `namespace/name`. */
const releaseOf = (item: string): string => item.slice(item.indexOf("/") + 1);
const fileOf = (item: string): string => `k8s/helmfile.d/${releaseOf(item)}.yaml`;
const helmfile = (item: string, chart: string, greeting: string, image = RUNNABLE_IMAGE): string =>
  [
    // The stand-in serves no OpenAPI document (a real cluster needs no such line).
    ...(REAL ? [] : ["helmDefaults:", "  disableOpenAPIValidation: true"]),
    "releases:",
    `  - name: ${releaseOf(item)}`,
    `    namespace: ${NAMESPACE}`,
    `    chart: ${chart}`,
    "    set:",
    "      - name: greeting",
    `        value: ${greeting}`,
    "      - name: image",
    `        value: ${image}`,
    "",
  ].join("\n");

/** Removes what the scenarios leave on the real cluster (also what an interrupted run left). */
async function cleanRealCluster(): Promise<void> {
  if (!REAL) return;
  for (const label of LABELS) {
    await onRealCluster(REAL, "helm", [
      "uninstall",
      `contract-${label}`,
      "-n",
      NAMESPACE,
      "--ignore-not-found",
    ]);
  }
  await onRealCluster(REAL, kubectlPath(), [
    "delete",
    "configmap",
    LOCK,
    inventoryName("contract"),
    "-n",
    NAMESPACE,
    "--ignore-not-found",
  ]);
}

/** kubectl in the scenarios' namespace, on the stand-in or the real cluster. */
async function inNamespace(args: readonly string[]): Promise<string> {
  const full = ["--namespace", NAMESPACE, ...args];
  if (REAL) return onRealCluster(REAL, kubectlPath(), full);
  const result = await kubectl(full);
  if (result.exitCode !== 0) throw new Error(`kubectl ${full.join(" ")}: ${result.stderr}`);
  return result.stdout;
}

/** Live releases on the real cluster, as liveVersions gives them. */
async function realLiveVersions(items: readonly string[]): Promise<Map<string, number | undefined>> {
  if (!REAL) throw new Error("no real cluster");
  const inventory = await onRealCluster(REAL, kubectlPath(), [
    "get",
    "configmap",
    inventoryName("contract"),
    "-n",
    NAMESPACE,
    "-o",
    "jsonpath={.data.releases}",
    "--ignore-not-found",
  ]);
  const owned = new Set((parse(inventory || "[]") as { name: string }[]).map((entry) => entry.name));
  const releases = JSON.parse(
    await onRealCluster(REAL, "helm", ["list", "-a", "-n", NAMESPACE, "-o", "json"]),
  ) as {
    name: string;
  }[];
  const versions = new Map<string, number | undefined>();
  for (const { name } of releases) {
    const item = `${NAMESPACE}/${name}`;
    if (!items.includes(item)) continue;
    const values = JSON.parse(
      await onRealCluster(REAL, "helm", ["get", "values", name, "-n", NAMESPACE, "-o", "json"]),
    ) as { greeting?: string } | null;
    versions.set(item, owned.has(name) ? Number((values?.greeting ?? "").slice(1)) : undefined);
  }
  return versions;
}

const helmfileHarness: TargetHarness = {
  type: "helmfile",
  itemKind: "release",
  ...(REAL
    ? {
        description: `real cluster from CRONCD_TEST_KUBECONFIG, namespace ${NAMESPACE}, helmfile and helm from PATH`,
      }
    : {}),
  setUp: async () => {
    work = await mkdtemp(path.join(tmpdir(), "croncd-contract-helmfile-"));
    chartFiles = await chartAsRepoFiles();
    if (REAL) {
      kubeconfig = REAL.kubeconfig;
      await cleanRealCluster();
      return;
    }
    // Every Deployment gets ready except the "failing" release's: its --wait times out.
    standin = await startKubeStandin({ deploymentsReady: (d) => !d.metadata.name.includes("failing") });
    standin.grant("contract-token", { user: "tenant-contract", namespaces: [NAMESPACE] });
    kubeconfig = await standin.writeKubeconfig(path.join(work, "kubeconfig"), {
      token: "contract-token",
      namespace: NAMESPACE,
    });
    helm = await helmCli({ kubeconfig, home: path.join(work, "helm-home") });
    kubectl = await kubectlCli({ kubeconfig, home: path.join(work, "helm-home") });
  },
  tearDown: async () => {
    await cleanRealCluster();
    await standin?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  },
  itemName: (label) => `${NAMESPACE}/contract-${label}`,
  targetFields: () => ({
    path: "k8s",
    kube: { kubeconfigEnv: "CONTRACT_KUBECONFIG" },
    inventory: { namespace: NAMESPACE },
    // A real cluster pulls an image before a Deployment gets ready.
    timeout: REAL ? 60 : 3,
  }),
  env: (): Record<string, string> =>
    REAL
      ? { CONTRACT_KUBECONFIG: kubeconfig }
      : {
          CONTRACT_KUBECONFIG: kubeconfig,
          PATH: [FAKE_BIN, toolsDir(), process.env.PATH ?? ""].join(path.delimiter),
          HELM_CACHE_HOME: path.join(work, "helm-home/cache"),
          HELM_CONFIG_HOME: path.join(work, "helm-home/config"),
          HELM_DATA_HOME: path.join(work, "helm-home/data"),
        },
  baseFiles: () => ({ ...chartFiles, "k8s/helmfile.d/README.md": "One helmfile per release.\n" }),
  itemPaths: (item) => [fileOf(item)],
  itemFiles: (item, version) => ({ [fileOf(item)]: helmfile(item, "../charts/greeter", `v${version}`) }),
  // helm cannot template a chart that is not there: the release's render fails.
  unrenderableItemFiles: (item) => ({ [fileOf(item)]: helmfile(item, "../charts/missing", "v1") }),
  // Renders, installs, never gets ready (the stand-in's switch; an image no cluster can pull): helm's
  // --wait times out.
  undeployableItemFiles: (item) => ({
    [fileOf(item)]: helmfile(item, "../charts/greeter", "v1", "registry.invalid/greeter:1.0"),
  }),
  createUnownedItem: async (item) => {
    if (REAL) {
      await onRealCluster(REAL, "helm", [
        "install",
        releaseOf(item),
        CHART,
        "-n",
        NAMESPACE,
        "--set",
        `image=${RUNNABLE_IMAGE}`,
      ]);
      return;
    }
    const result = await helm(["install", releaseOf(item), CHART, "--disable-openapi-validation"]);
    if (result.exitCode !== 0) throw new Error(result.stderr);
  },
  liveVersions: (items) => {
    if (REAL) return realLiveVersions(items);
    const [record] = standin.objects({
      kind: "ConfigMap",
      namespace: NAMESPACE,
      name: inventoryName("contract"),
    });
    const owned = new Set(
      (
        parse((record?.data as { releases?: string } | undefined)?.releases ?? "[]") as { name: string }[]
      ).map((entry) => entry.name),
    );
    const versions = new Map<string, number | undefined>();
    for (const release of storedReleases(standin.objects({ namespace: NAMESPACE }))) {
      const item = `${NAMESPACE}/${release.name}`;
      if (!items.includes(item) || versions.has(item)) continue;
      const [config] = standin.objects({
        kind: "ConfigMap",
        namespace: NAMESPACE,
        name: `${release.name}-config`,
      });
      const greeting = (config?.data as { greeting?: string } | undefined)?.greeting ?? "";
      versions.set(item, owned.has(release.name) ? Number(greeting.slice(1)) : undefined);
    }
    return Promise.resolve(versions);
  },
  lock: {
    holdAsAnotherRun: async (holder, expiresAt) => {
      const fields = {
        holder,
        token: `by-hand-${Date.now()}`,
        acquiredAt: new Date().toISOString(),
        expiresAt: expiresAt.toISOString(),
      };
      await inNamespace([
        "create",
        "configmap",
        LOCK,
        ...Object.entries(fields).map(([key, value]) => `--from-literal=${key}=${value}`),
      ]);
      await inNamespace([
        "label",
        "configmap",
        LOCK,
        "croncd.io/lock=true",
        "app.kubernetes.io/managed-by=croncd",
      ]);
    },
    holder: async () =>
      (await inNamespace([
        "get",
        "configmap",
        LOCK,
        "--ignore-not-found",
        "--output",
        "jsonpath={.data.holder}",
      ])) || undefined,
    remove: async () => {
      await inNamespace(["delete", "configmap", LOCK, "--ignore-not-found"]);
    },
  },
};

async function chartAsRepoFiles(): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const file of await readdir(CHART, { recursive: true, withFileTypes: true })) {
    if (!file.isFile()) continue;
    const full = path.join(file.parentPath, file.name);
    files[`k8s/charts/greeter/${path.relative(CHART, full)}`] = await readFile(full, "utf8");
  }
  return files;
}

export default helmfileHarness;
