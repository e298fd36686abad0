// The Helmfile target in the contract suite: releases on the Kubernetes API stand-in
// (test/helpers/kube), driven by the real helm and kubectl and the FAKE helmfile of test/fake-bin
// (real helmfile and helm-diff cannot be installed here). One helmfile per release in
// k8s/helmfile.d/, so a release leaves git when its file goes.
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { inventoryName } from "../../../src/targets/helmfile/inventory.js";
import { helmCli, type KubeCli } from "../../helpers/kube/helm-cli.js";
import { storedReleases } from "../../helpers/kube/helm-releases.js";
import { startKubeStandin, type KubeStandin } from "../../helpers/kube/server.js";
import { toolsDir } from "../../helpers/helmfile-target.js";
import type { TargetHarness } from "../harness.js";

const NAMESPACE = "contract";
const CHART = fileURLToPath(new URL("../../fixtures/charts/greeter", import.meta.url));
const FAKE_BIN = fileURLToPath(new URL("../../fake-bin", import.meta.url));

let standin: KubeStandin;
let work: string;
let kubeconfig: string;
let helm: KubeCli;
/** The chart, as files the config repository holds. */
let chartFiles: Record<string, string> = {};

/** Items are named as reports name releases: `namespace/name`. */
const releaseOf = (item: string): string => item.slice(item.indexOf("/") + 1);
const fileOf = (item: string): string => `k8s/helmfile.d/${releaseOf(item)}.yaml`;
const helmfile = (item: string, chart: string, greeting: string): string =>
  [
    "helmDefaults:",
    // The stand-in serves no OpenAPI document (a real cluster needs no such line).
    "  disableOpenAPIValidation: true",
    "releases:",
    `  - name: ${releaseOf(item)}`,
    `    namespace: ${NAMESPACE}`,
    `    chart: ${chart}`,
    "    set:",
    "      - name: greeting",
    `        value: ${greeting}`,
    "",
  ].join("\n");

const helmfileHarness: TargetHarness = {
  type: "helmfile",
  itemKind: "release",
  setUp: async () => {
    work = await mkdtemp(path.join(tmpdir(), "croncd-contract-helmfile-"));
    // Every Deployment gets ready except the "failing" release's: its --wait times out.
    standin = await startKubeStandin({ deploymentsReady: (d) => !d.metadata.name.includes("failing") });
    standin.grant("contract-token", { user: "tenant-contract", namespaces: [NAMESPACE] });
    kubeconfig = await standin.writeKubeconfig(path.join(work, "kubeconfig"), {
      token: "contract-token",
      namespace: NAMESPACE,
    });
    helm = await helmCli({ kubeconfig, home: path.join(work, "helm-home") });
    chartFiles = {};
    for (const file of await readdir(CHART, { recursive: true, withFileTypes: true })) {
      if (!file.isFile()) continue;
      const full = path.join(file.parentPath, file.name);
      chartFiles[`k8s/charts/greeter/${path.relative(CHART, full)}`] = await readFile(full, "utf8");
    }
  },
  tearDown: async () => {
    await standin?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  },
  itemName: (label) => `${NAMESPACE}/contract-${label}`,
  targetFields: () => ({
    path: "k8s",
    kube: { kubeconfigEnv: "CONTRACT_KUBECONFIG" },
    inventory: { namespace: NAMESPACE },
    timeout: 3,
  }),
  env: () => ({
    CONTRACT_KUBECONFIG: kubeconfig,
    PATH: [FAKE_BIN, toolsDir(), process.env.PATH ?? ""].join(path.delimiter),
    HELM_CACHE_HOME: path.join(work, "helm-home/cache"),
    HELM_CONFIG_HOME: path.join(work, "helm-home/config"),
    HELM_DATA_HOME: path.join(work, "helm-home/data"),
  }),
  baseFiles: () => ({ ...chartFiles, "k8s/helmfile.d/README.md": "One helmfile per release.\n" }),
  itemPaths: (item) => [fileOf(item)],
  itemFiles: (item, version) => ({ [fileOf(item)]: helmfile(item, "../charts/greeter", `v${version}`) }),
  // helm cannot template a chart that is not there: the release's render fails.
  unrenderableItemFiles: (item) => ({ [fileOf(item)]: helmfile(item, "../charts/missing", "v1") }),
  // Renders, installs, never gets ready: helm's --wait times out.
  undeployableItemFiles: (item) => ({ [fileOf(item)]: helmfile(item, "../charts/greeter", "v1") }),
  createUnownedItem: async (item) => {
    const result = await helm(["install", releaseOf(item), CHART, "--disable-openapi-validation"]);
    if (result.exitCode !== 0) throw new Error(result.stderr);
  },
  liveVersions: (items) => {
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
};

export default helmfileHarness;
