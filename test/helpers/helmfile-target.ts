// Drives the Helmfile target through its own functions (render → plan → apply → prune), as a run
// does, against the Kubernetes API stand-in with the real helm and kubectl and the FAKE helmfile of
// test/fake-bin (real helmfile and helm-diff cannot be installed here).
import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import type { ChangeSetEntry } from "../../src/model/changeset.js";
import {
  createHelmfileTarget,
  helmfileTargetSchema,
  type HelmfileTargetConfig,
} from "../../src/targets/helmfile/index.js";
import type { ReleasePlanItem } from "../../src/targets/helmfile/plan.js";
import { startKubeStandin, type KubeStandin } from "./kube/server.js";
import { helmPath, kubectlPath } from "./kube/tools.js";

export const FAKE_HELMFILE = fileURLToPath(new URL("../fake-bin/helmfile", import.meta.url));

export interface TargetRun {
  plan: ReleasePlanItem[];
  entries: ChangeSetEntry[];
  /** Values croncd was told to mask. */
  secrets: string[];
}

export interface RunTargetOptions {
  checkout: string;
  config?: Partial<Record<string, unknown>>;
  env: NodeJS.ProcessEnv;
  incompleteBecause?: string;
  heal?: boolean;
  /** Called between plan and apply (the cluster changing under a run). */
  beforeApply?: () => Promise<void>;
}

export function helmfileConfig(overrides: Partial<Record<string, unknown>> = {}): HelmfileTargetConfig {
  return helmfileTargetSchema.parse({
    name: "team-a",
    type: "helmfile",
    source: "platform",
    path: "k8s",
    kube: { kubeconfigEnv: "TEST_KUBECONFIG" },
    inventory: { namespace: "team-a" },
    timeout: 20,
    commandTimeout: 60,
    ...overrides,
  });
}

export const SOURCE_URL = "https://git.example/platform.git";

export async function runTarget(options: RunTargetOptions): Promise<TargetRun> {
  const secrets: string[] = [];
  const target = createHelmfileTarget({
    config: helmfileConfig(options.config),
    checkout: { dir: options.checkout, url: SOURCE_URL, commit: "0".repeat(40) },
    onSecrets: (values) => secrets.push(...values),
    env: options.env,
    tools: { helmfile: FAKE_HELMFILE, helm: helmPath(), kubectl: kubectlPath() },
  });
  const rendered = await target.render();
  const incompleteBecause =
    options.incompleteBecause ?? (rendered.failures.length > 0 ? "a release failed to render" : undefined);
  const plan = await target.plan(rendered, incompleteBecause ? { incompleteBecause } : {});
  const planned = plan.items.map((item) => ({ ...item }));
  await options.beforeApply?.();
  const applied = await target.apply(plan, { heal: options.heal ?? true });
  const pruned = await target.prune(plan);
  return { plan: planned, entries: [...rendered.failures, ...applied, ...pruned], secrets };
}

/** `namespace/name` → action, for assertions. */
export const actions = (entries: readonly ChangeSetEntry[]): Record<string, string> =>
  Object.fromEntries(entries.map((entry) => [entry.name, entry.action]));

/** The fake helmfile's record of its calls (one JSON object a line). */
export interface HelmfileCall {
  argv: string[];
  cwd: string;
  envNames: string[];
  threeWayMerge: boolean;
  /** Each values file the helmfile names, as helmfile found it: a link to the checkout, or a file. */
  valuesFiles?: { path: string; symlink: boolean; mode: number }[];
}

export async function helmfileCalls(log: string): Promise<HelmfileCall[]> {
  const text = await readFile(log, "utf8").catch(() => "");
  return text
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as HelmfileCall);
}

/** The releases croncd's inventory ConfigMap says it owns, as `namespace/name`. */
export function inventoryReleases(data: unknown): string[] {
  const entries = parse((data as { releases?: string } | undefined)?.releases ?? "[]") as {
    name: string;
    namespace: string;
  }[];
  return entries.map((entry) => `${entry.namespace}/${entry.name}`).sort();
}

export const toolsDir = (): string => path.dirname(helmPath());

export interface TenantCluster {
  standin: KubeStandin;
  /** A kubeconfig of tenant-a, who may act in namespace team-a only. */
  kubeconfig: string;
  /** helm's own home for the test (never the user's ~/.cache/helm). */
  home: string;
  /** Where the fake helmfile records its calls (see helmfileCalls). */
  log: string;
  /** The environment a target reads: the kubeconfig variable helmfileConfig names, and PATH. */
  env: NodeJS.ProcessEnv;
}

/**
 * The Kubernetes API stand-in with tenant-a's access to team-a, and this process set up the way
 * the fake helmfile needs: helm and kubectl on PATH (it finds them there, as the real one does),
 * helm's files and the call log in the test's folder.
 */
export async function startTenantCluster(work: string): Promise<TenantCluster> {
  const standin = await startKubeStandin();
  standin.grant("tenant-token", { user: "tenant-a", namespaces: ["team-a"] });
  const kubeconfig = await standin.writeKubeconfig(path.join(work, "tenant.kubeconfig"), {
    token: "tenant-token",
    namespace: "team-a",
  });
  const home = path.join(work, "home");
  const log = path.join(work, "helmfile-calls.jsonl");
  process.env.PATH = `${toolsDir()}${path.delimiter}${process.env.PATH ?? ""}`;
  process.env.HELM_CACHE_HOME = path.join(home, "cache");
  process.env.HELM_CONFIG_HOME = path.join(home, "config");
  process.env.HELM_DATA_HOME = path.join(home, "data");
  process.env.FAKE_HELMFILE_LOG = log;
  return { standin, kubeconfig, home, log, env: { TEST_KUBECONFIG: kubeconfig, PATH: process.env.PATH } };
}
