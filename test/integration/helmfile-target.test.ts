// The Helmfile target end to end through its own functions: the REAL helm v3.17.3 and kubectl
// against the Kubernetes API stand-in (test/helpers/kube), and the FAKE helmfile of test/fake-bin
// (helmfile and helm-diff cannot be installed here; the fake drives the real helm the documented
// way). Everything croncd itself does to the cluster — the inventory ConfigMap, `helm uninstall` —
// runs through the real clients.
import { cp, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { INVENTORY_LABELS, inventoryName, sourceHash } from "../../src/targets/helmfile/inventory.js";
import { pruneRelease } from "../../src/targets/helmfile/index.js";
import { setReleaseSuspension } from "../../src/targets/helmfile/suspend-release.js";
import {
  actions,
  FAKE_HELMFILE,
  helmfileCalls,
  helmfileConfig,
  inventoryReleases,
  runTarget,
  SOURCE_URL,
  startTenantCluster,
} from "../helpers/helmfile-target.js";
import { helmCli, type KubeCli } from "../helpers/kube/helm-cli.js";
import { storedReleases } from "../helpers/kube/helm-releases.js";
import type { KubeStandin } from "../helpers/kube/server.js";
import { helmPath, kubectlPath } from "../helpers/kube/tools.js";
import { standinOnlyNote } from "../helpers/kube/real-cluster.js";
import { TargetUnavailableError } from "../../src/errors.js";

const CHART = fileURLToPath(new URL("../fixtures/charts/greeter", import.meta.url));
const SOPS_VALUES = fileURLToPath(new URL("../fixtures/helmfile/secrets.sops.yaml", import.meta.url));
const OTHER_TEAMS_SOPS = fileURLToPath(
  new URL("../fixtures/sops/flux-kustomize-controller/algorithms-age.yaml", import.meta.url),
);
const AGE_KEY = fileURLToPath(new URL("../fixtures/sops/humphd-sops-age/key.txt", import.meta.url));
/** The plaintext of secrets.sops.yaml's `password`: must reach the cluster and nowhere else. */
const SECRET = "tenant-db-pass-7f3k9";

interface Release {
  name: string;
  values?: string[];
  chart?: string;
  labels?: Record<string, string>;
  installed?: boolean;
}

describe(`Helmfile target${standinOnlyNote()}`, () => {
  let work: string;
  let checkout: string;
  let standin: KubeStandin;
  let tenantHelm: KubeCli;
  let env: NodeJS.ProcessEnv;
  let log: string;

  const writeHelmfile = async (releases: readonly Release[]) => {
    const lines = ["helmDefaults:", "  disableOpenAPIValidation: true", "releases:"];
    if (releases.length === 0) lines[2] = "releases: []";
    for (const release of releases) {
      lines.push(
        `  - name: ${release.name}`,
        "    namespace: team-a",
        `    chart: ${release.chart ?? "./charts/greeter"}`,
      );
      if (release.installed === false) lines.push("    installed: false");
      if (release.labels) {
        lines.push("    labels:", ...Object.entries(release.labels).map(([k, v]) => `      ${k}: "${v}"`));
      }
      lines.push("    values:", ...(release.values ?? []).map((file) => `      - ${file}`));
    }
    await writeFile(path.join(checkout, "k8s/helmfile.yaml"), lines.join("\n") + "\n");
  };
  const WEB: Release = { name: "web", values: ["values/web.yaml", "values/secrets.yaml"] };
  const API: Release = { name: "api", values: ["values/api.yaml"] };
  const run = (options: Partial<Parameters<typeof runTarget>[0]> = {}) =>
    runTarget({ checkout, env, ...options });
  const releasesInCluster = () =>
    storedReleases(standin.objects({ namespace: "team-a" }))
      .map((release) => release.name)
      .filter((name, index, all) => all.indexOf(name) === index)
      .sort();
  const inventory = () =>
    inventoryReleases(
      standin.objects({ kind: "ConfigMap", namespace: "team-a", name: inventoryName("team-a") })[0]?.data,
    );
  const callsSince = async (count: number) => (await helmfileCalls(log)).slice(count);

  beforeEach(() => {
    helmPath();
  });

  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), "croncd-helmfile-target-"));
    const cluster = await startTenantCluster(work);
    ({ standin, log } = cluster);
    tenantHelm = await helmCli({ kubeconfig: cluster.kubeconfig, home: cluster.home });
    env = { ...cluster.env, SOPS_AGE_KEY_FILE: AGE_KEY };

    checkout = path.join(work, "checkout");
    await cp(CHART, path.join(checkout, "k8s/charts/greeter"), { recursive: true });
    await cp(SOPS_VALUES, path.join(checkout, "k8s/values/secrets.yaml"));
    await writeFile(path.join(checkout, "k8s/values/web.yaml"), "greeting: hello from web\n");
    await writeFile(path.join(checkout, "k8s/values/api.yaml"), "greeting: hello from api\n");
    // Another team's sops file, for a key this job does not hold: outside the helmfile's folder,
    // so croncd links it into the overlay as it is and never tries to open it.
    await cp(OTHER_TEAMS_SOPS, path.join(checkout, "other-team/secrets.yaml"));
    await writeHelmfile([WEB, API]);
  });

  afterAll(async () => {
    await standin?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it("creates the declared releases, with sops values decrypted by croncd into its private workspace only", async () => {
    const before = (await helmfileCalls(log)).length;
    const result = await run();
    expect(actions(result.entries)).toEqual({ "team-a/web": "created", "team-a/api": "created" });
    expect(releasesInCluster()).toEqual(["api", "web"]);
    expect(inventory()).toEqual(["team-a/api", "team-a/web"]);
    // The decrypted password reached the chart's Secret: helmfile read croncd's decrypted copy.
    const [credentials] = standin.objects({ kind: "Secret", namespace: "team-a", name: "web-credentials" });
    expect((credentials?.data as Record<string, string> | undefined)?.password).toBe(
      Buffer.from(SECRET).toString("base64"),
    );
    expect(result.secrets).toContain(SECRET);
    // helmfile read a decrypted 0600 copy of the sops file, and links to the checkout for the rest...
    const calls = await callsSince(before);
    for (const call of calls) {
      expect(call.valuesFiles).toEqual([
        { path: "values/web.yaml", symlink: true, mode: 0o777 },
        { path: "values/secrets.yaml", symlink: false, mode: 0o600 },
        { path: "values/api.yaml", symlink: true, mode: 0o777 },
      ]);
      // ...in a private workspace that was removed as soon as helmfile was done.
      await expect(stat(call.cwd)).rejects.toThrow(/ENOENT/);
    }
    expect(
      calls.map((call) => call.argv.find((arg) => ["list", "template", "diff", "apply"].includes(arg))),
    ).toEqual(["list", "template", "template", "diff", "apply", "apply"]);
    // ...and nowhere else: not in the checkout, not in what croncd reports, not left in the workspace.
    for (const file of await readdir(checkout, { recursive: true })) {
      const full = path.join(checkout, file);
      if ((await stat(full)).isFile()) expect(await readFile(full, "utf8")).not.toContain(SECRET);
    }
    expect(JSON.stringify([result.plan, result.entries])).not.toContain(SECRET);
    // helm-diff is asked for the three-way merge (live edits show) with secrets suppressed.
    const diff = (await helmfileCalls(log)).find((call) => call.argv.includes("diff"));
    expect(diff?.threeWayMerge).toBe(true);
    expect(diff?.argv).toEqual(expect.arrayContaining(["--detailed-exitcode", "--suppress-secrets"]));
    expect(diff?.envNames).toContain("KUBECONFIG");
  });

  it("applies nothing when nothing changed", async () => {
    const before = (await helmfileCalls(log)).length;
    const result = await run();
    expect(actions(result.entries)).toEqual({ "team-a/web": "unchanged", "team-a/api": "unchanged" });
    const commands = (await callsSince(before)).map((call) =>
      call.argv.find((a) => ["list", "template", "diff", "apply"].includes(a)),
    );
    expect(commands).toEqual(["list", "template", "template", "diff"]);
  });

  it("applies only the release whose values changed in git", async () => {
    await writeFile(path.join(checkout, "k8s/values/api.yaml"), "greeting: hello again\n");
    const before = (await helmfileCalls(log)).length;
    const result = await run();
    expect(actions(result.entries)).toEqual({ "team-a/web": "unchanged", "team-a/api": "configured" });
    const api = result.entries.find((entry) => entry.name === "team-a/api");
    expect(api?.drift).toBeUndefined();
    expect(api?.details?.join("\n")).toContain("hello again");
    const applies = (await callsSince(before)).filter((call) => call.argv.includes("apply"));
    expect(applies.map((call) => call.argv[call.argv.indexOf("--selector") + 1])).toEqual([
      "name=api,namespace=team-a",
    ]);
    expect(standin.objects({ kind: "ConfigMap", name: "api-config" })[0]?.data).toEqual({
      greeting: "hello again",
    });
  });

  it("diffs release by release when helmfile's output has no Comparing header for each", async () => {
    await writeFile(path.join(checkout, "k8s/values/api.yaml"), "greeting: hello from stderr\n");
    process.env.FAKE_HELMFILE_HEADERS = "stderr";
    const before = (await helmfileCalls(log)).length;
    try {
      const result = await run();
      expect(actions(result.entries)).toEqual({ "team-a/web": "unchanged", "team-a/api": "configured" });
      expect(result.entries.find((e) => e.name === "team-a/api")?.details?.join("\n")).toContain(
        "hello from stderr",
      );
    } finally {
      delete process.env.FAKE_HELMFILE_HEADERS;
    }
    const diffs = (await callsSince(before)).filter((call) => call.argv.includes("diff"));
    expect(diffs.map((call) => call.argv.filter((arg) => arg.startsWith("name=")))).toEqual([
      [],
      ["name=web,namespace=team-a"],
      ["name=api,namespace=team-a"],
    ]);
  });

  it("calls a kubectl edit drift when git did not change, and heals it", async () => {
    standin.edit("Deployment", "team-a", "web", (deployment) => {
      (deployment.spec as { replicas: number }).replicas = 3;
    });
    const reported = await run({ heal: false });
    const web = reported.entries.find((entry) => entry.name === "team-a/web");
    expect(web).toMatchObject({ action: "skipped", drift: true });
    expect(web?.reason).toContain("drifted from git");
    expect(web?.details?.join("\n")).toContain("replicas");

    const healed = await run();
    expect(healed.entries.find((entry) => entry.name === "team-a/web")).toMatchObject({
      action: "configured",
      drift: true,
    });
    const [deployment] = standin.objects({ kind: "Deployment", name: "web" });
    expect((deployment?.spec as { replicas: number }).replicas).toBe(1);
  });

  it("suspend leaves a drifted release as it runs, reported skipped with who, when and why; resumed, it is healed", async () => {
    // As `croncd suspend --release` asks: no git read, so no source URL to compare.
    const request = {
      config: helmfileConfig(),
      env,
      tools: { helmfile: FAKE_HELMFILE, helm: helmPath(), kubectl: kubectlPath() },
    };
    const suspension = { by: "alice@ops-laptop", at: "2026-12-05T06:30:00.000Z", reason: "incident 42" };
    const suspended = await setReleaseSuspension({ ...request, name: "team-a/web", suspension });
    expect(suspended).toMatchObject({ action: "configured", name: "team-a/web", suspended: suspension });
    standin.edit("Deployment", "team-a", "web", (deployment) => {
      (deployment.spec as { replicas: number }).replicas = 3;
    });

    const held = await run();
    const web = held.entries.find((entry) => entry.name === "team-a/web");
    expect(web).toMatchObject({ action: "skipped", suspended: suspension });
    expect(web?.drift).toBeUndefined();
    expect(web?.reason).toBe(
      "suspended by alice@ops-laptop at 2026-12-05T06:30:00.000Z: incident 42; held back: drifted from git: 1 object changed by hand",
    );
    const replicas = () =>
      (standin.objects({ kind: "Deployment", name: "web" })[0]?.spec as { replicas: number }).replicas;
    expect(replicas()).toBe(3);
    const refused = await pruneRelease({ ...request, name: "team-a/web", dryRun: false });
    expect(refused.action).toBe("failed");
    expect(refused.reason).toContain("croncd resume --release team-a/web first, then prune");
    expect(releasesInCluster()).toContain("web");

    const resumed = await setReleaseSuspension({ ...request, name: "web" });
    expect(resumed).toMatchObject({ action: "configured", name: "team-a/web" });
    expect(resumed.suspended).toBeUndefined();
    const healed = await run();
    expect(healed.entries.find((entry) => entry.name === "team-a/web")).toMatchObject({
      action: "configured",
      drift: true,
    });
    expect(replicas()).toBe(1);
  });

  it("fails the render, naming the file, when a sops values file cannot be opened, and prunes nothing", async () => {
    const before = (await helmfileCalls(log)).length;
    const withoutKey = { ...env };
    delete withoutKey.SOPS_AGE_KEY_FILE;
    await writeHelmfile([WEB]);
    try {
      const result = await runTarget({ checkout, env: withoutKey, config: { prune: true } });
      expect(actions(result.entries)).toEqual({
        "team-a": "failed",
        "team-a/api": "failed",
        "team-a/web": "failed",
      });
      expect(result.entries[0]?.reason).toContain("k8s/values/secrets.yaml");
      expect(result.entries.find((e) => e.name === "team-a/api")?.reason).toContain(
        "the desired state is incomplete",
      );
      expect(await callsSince(before)).toEqual([]);
      expect(releasesInCluster()).toEqual(["api", "web"]);
    } finally {
      await writeHelmfile([WEB, API]);
    }
  });

  it("never touches a release it does not own, and keeps a release that left git while prune is off", async () => {
    const manual = await tenantHelm(["install", "manual", CHART, "--disable-openapi-validation"]);
    expect(manual.exitCode, manual.stderr).toBe(0);
    await writeHelmfile([WEB]);
    const result = await run({ config: { prune: false } });
    expect(actions(result.entries)).toEqual({ "team-a/web": "unchanged", "team-a/api": "skipped" });
    expect(result.entries.find((e) => e.name === "team-a/api")?.reason).toContain("pruning is off");
    expect(releasesInCluster()).toEqual(["api", "manual", "web"]);
  });

  it("refuses to prune when the desired state is incomplete or more releases left than maxPrune", async () => {
    const incomplete = await run({ config: { prune: true }, incompleteBecause: "source platform failed" });
    expect(incomplete.entries.find((e) => e.name === "team-a/api")).toMatchObject({
      action: "failed",
      reason: "left git, but not pruned: the desired state is incomplete (source platform failed)",
    });
    // A helmfile that cannot be listed declares nothing we can trust: every owned release stays.
    const broken = await run({ config: { prune: true, environment: "staging" } });
    expect(actions(broken.entries)).toEqual({
      "team-a": "failed",
      "team-a/api": "failed",
      "team-a/web": "failed",
    });
    expect(broken.entries[0]?.reason).toContain('environment "staging" is not defined');
    expect(broken.entries.find((e) => e.name === "team-a/web")?.reason).toContain(
      "the desired state is incomplete",
    );
    const tooMany = await run({ config: { prune: true, maxPrune: 0 } });
    expect(tooMany.entries.find((e) => e.name === "team-a/api")?.reason).toBe(
      "not pruned: 1 releases left git, more than maxPrune (0); raise maxPrune for this run if intended",
    );
    expect(releasesInCluster()).toEqual(["api", "manual", "web"]);
  });

  it("uninstalls an owned release that left git with the real helm, and forgets it", async () => {
    const result = await run({ config: { prune: true } });
    expect(actions(result.entries)).toEqual({ "team-a/web": "unchanged", "team-a/api": "deleted" });
    expect(releasesInCluster()).toEqual(["manual", "web"]);
    expect(inventory()).toEqual(["team-a/web"]);
    expect(standin.objects({ namespace: "team-a", name: "api" })).toEqual([]);
  });

  it("refuses to prune everything when git declares no release, unless allowEmpty", async () => {
    await writeHelmfile([]);
    const refused = await run({ config: { prune: true } });
    expect(refused.entries.find((e) => e.name === "team-a/web")?.reason).toContain(
      "git declares no release at all for this target",
    );
    expect(releasesInCluster()).toEqual(["manual", "web"]);
    const allowed = await run({ config: { prune: true, allowEmpty: true } });
    expect(actions(allowed.entries)).toEqual({ "team-a/web": "deleted" });
    expect(releasesInCluster()).toEqual(["manual"]);
    expect(inventory()).toEqual([]);
  });

  it("fails one release with helm's own error and still applies the other (helmfile diff exit 1 with a 2 elsewhere)", async () => {
    await writeHelmfile([WEB, { name: "broken", chart: "./charts/missing" }]);
    const result = await run();
    expect(result.entries.find((e) => e.name === "team-a/web")?.action).toBe("created");
    const broken = result.entries.find((e) => e.name === "team-a/broken");
    expect(broken?.action).toBe("failed");
    expect(broken?.reason).toMatch(/^render failed: Error: .*charts\/missing/);
    expect(releasesInCluster()).toEqual(["manual", "web"]);
  });

  it("reports helm's --wait timeout as the release's failure", async () => {
    await writeHelmfile([WEB, API]);
    standin.setDeploymentsReady(false);
    try {
      const result = await run({ config: { timeout: 2 } });
      const api = result.entries.find((e) => e.name === "team-a/api");
      expect(api?.action).toBe("failed");
      expect(api?.reason).toMatch(/^apply failed: Error: .*context deadline exceeded$/);
      // The failed install is not owned: croncd never recorded it.
      expect(inventory()).toEqual(["team-a/web"]);
    } finally {
      standin.setDeploymentsReady(true);
    }
  });

  it("fails, naming the variable, when the kube context variable is not set", async () => {
    const before = (await helmfileCalls(log)).length;
    await expect(
      run({ config: { kube: { kubeconfigEnv: "TEST_KUBECONFIG", contextEnv: "MISSING_KUBE_CONTEXT" } } }),
    ).rejects.toThrow("target team-a: the kube context variable MISSING_KUBE_CONTEXT is not set");
    // Nothing ran: no fallback to the runner's own ~/.kube/config.
    expect(await callsSince(before)).toEqual([]);
  });

  it("stops at the inventory when the cluster is unreachable", async () => {
    await standin.setNetwork("refusing");
    try {
      await expect(run()).rejects.toThrow(
        /inventory ConfigMap team-a\/croncd-inventory-team-a: read failed: .*(connection refused|was refused)/,
      );
      // Away, not wrong: the run reports the target unavailable (exit 3), not failed.
      await expect(run()).rejects.toBeInstanceOf(TargetUnavailableError);
    } finally {
      await standin.setNetwork("up");
    }
  });

  it("fails a release with helm's own message when the cluster goes away between plan and apply", async () => {
    await writeFile(path.join(checkout, "k8s/values/web.yaml"), "greeting: hello while away\n");
    try {
      const result = await run({ beforeApply: () => standin.setNetwork("refusing") });
      const web = result.entries.find((e) => e.name === "team-a/web");
      expect(web?.action).toBe("failed");
      expect(web?.reason).toMatch(
        /^apply failed: Error: Kubernetes cluster unreachable: .*connection refused/,
      );
    } finally {
      await standin.setNetwork("up");
    }
    // Still owned: the next run retries it.
    expect(inventory()).toContain("team-a/web");
  });

  it("prunes one owned release by hand, with a dry run first, and refuses one it does not own", async () => {
    // As `croncd prune --release` asks: no git read, so no source URL to compare.
    const request = {
      config: helmfileConfig(),
      env,
      tools: { helmfile: FAKE_HELMFILE, helm: helmPath(), kubectl: kubectlPath() },
    };
    const dry = await pruneRelease({ ...request, name: "web", dryRun: true });
    expect(dry).toMatchObject({ action: "skipped", name: "team-a/web" });
    expect(releasesInCluster()).toContain("web");
    const notOwned = await pruneRelease({ ...request, name: "manual", dryRun: false });
    expect(notOwned.action).toBe("failed");
    expect(notOwned.reason).toContain("does not own this release");
    // As reports name it: namespace/name.
    const pruned = await pruneRelease({ ...request, name: "team-a/web", dryRun: false });
    expect(pruned).toMatchObject({ action: "deleted", name: "team-a/web" });
    expect(releasesInCluster()).not.toContain("web");
    expect(releasesInCluster()).toContain("manual");
    expect(inventory()).not.toContain("team-a/web");
    // The record still names the source that wrote it.
    const [record] = standin.objects({ kind: "ConfigMap", name: inventoryName("team-a") });
    expect(record?.metadata.labels?.[INVENTORY_LABELS.source]).toBe(sourceHash(SOURCE_URL));
  });

  it("uninstalls a release git marks installed: false through helmfile apply, and stops owning it", async () => {
    const batch: Release = { name: "batch", values: ["values/api.yaml"] };
    await writeHelmfile([batch]);
    const created = await run();
    expect(created.entries.find((e) => e.name === "team-a/batch")?.action).toBe("created");
    expect(inventory()).toContain("team-a/batch");

    await writeHelmfile([{ ...batch, installed: false }]);
    const removed = await run();
    expect(removed.entries.find((e) => e.name === "team-a/batch")).toMatchObject({
      action: "deleted",
      reason: "installed: false in git",
    });
    expect(releasesInCluster()).not.toContain("batch");
    expect(inventory()).not.toContain("team-a/batch");
  });

  it("reads a folder whose helmfiles are in helmfile.d/, each file's paths relative to itself", async () => {
    await writeFile(path.join(checkout, "k8s/values/solo.yaml"), "greeting: from helmfile.d\n");
    const folder = path.join(checkout, "k8s-d/helmfile.d");
    await cp(path.join(checkout, "k8s/charts"), path.join(checkout, "k8s-d/charts"), { recursive: true });
    await mkdir(folder, { recursive: true });
    await writeFile(
      path.join(folder, "10-solo.yaml"),
      [
        "helmDefaults:",
        "  disableOpenAPIValidation: true",
        "releases:",
        "  - name: solo",
        "    namespace: team-a",
        "    chart: ../charts/greeter",
        "    values: [../../k8s/values/solo.yaml]",
        "",
      ].join("\n"),
    );
    const result = await run({ config: { name: "team-d", path: "k8s-d" } });
    expect(actions(result.entries)).toEqual({ "team-a/solo": "created" });
    expect(standin.objects({ kind: "ConfigMap", name: "solo-config" })[0]?.data).toEqual({
      greeting: "from helmfile.d",
    });
  });
});
