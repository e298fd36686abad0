// A Helmfile target's tenant policy end to end: the REAL helm and kubectl against the Kubernetes
// API stand-in, the FAKE helmfile of test/fake-bin (helmfile cannot be installed here). A release
// outside the tenant's namespaces or chart repositories is a render failure, located at its line:
// never templated nor installed, and with it in git nothing of the target is pruned.
import { cp, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { actions, helmfileCalls, runTarget, startTenantCluster } from "../helpers/helmfile-target.js";
import { storedReleases } from "../helpers/kube/helm-releases.js";
import type { KubeStandin } from "../helpers/kube/server.js";
import { helmPath } from "../helpers/kube/tools.js";
import { standinOnlyNote } from "../helpers/kube/real-cluster.js";

const CHART = fileURLToPath(new URL("../fixtures/charts/greeter", import.meta.url));
const POLICY = { namespaces: ["team-a"], chartRepositories: ["./charts/"] };

describe(`Helmfile tenant policy${standinOnlyNote()}`, () => {
  let work: string;
  let checkout: string;
  let standin: KubeStandin;
  let env: NodeJS.ProcessEnv;
  let log: string;

  const release = (name: string, namespace: string, chart: string) =>
    [`  - name: ${name}`, `    namespace: ${namespace}`, `    chart: ${chart}`].join("\n");
  const writeHelmfile = (releases: string[]) =>
    writeFile(
      path.join(checkout, "k8s/helmfile.yaml"),
      ["helmDefaults:", "  disableOpenAPIValidation: true", "releases:", ...releases, ""].join("\n"),
    );
  const run = () => runTarget({ checkout, env, config: { prune: true, policy: POLICY } });
  const releasesInCluster = () =>
    [...new Set(storedReleases(standin.objects({ namespace: "team-a" })).map((r) => r.name))].sort();

  beforeEach(() => {
    helmPath();
  });

  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), "croncd-helmfile-policy-"));
    ({ standin, env, log } = await startTenantCluster(work));
    checkout = path.join(work, "checkout");
    await cp(CHART, path.join(checkout, "k8s/charts/greeter"), { recursive: true });
    await cp(CHART, path.join(checkout, "k8s/vendor/greeter"), { recursive: true });
    await writeHelmfile([
      release("web", "team-a", "./charts/greeter"),
      release("api", "team-a", "./charts/greeter"),
    ]);
  });

  afterAll(async () => {
    await standin?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it("installs releases within the policy", async () => {
    const result = await run();
    expect(actions(result.entries)).toEqual({ "team-a/web": "created", "team-a/api": "created" });
    expect(releasesInCluster()).toEqual(["api", "web"]);
  });

  it("refuses releases outside the tenant's namespaces or charts, templates none of them, and prunes nothing", async () => {
    // api leaves git while two releases break the policy: api must stay.
    await writeHelmfile([
      release("web", "team-a", "./charts/greeter"),
      release("rogue", "kube-system", "./charts/greeter"),
      release("vendored", "team-a", "./charts/../vendor/greeter"),
    ]);
    const before = (await helmfileCalls(log)).length;
    const result = await run();
    expect(actions(result.entries)).toMatchObject({
      "kube-system/rogue": "failed",
      "team-a/vendored": "failed",
      "team-a/web": "unchanged",
      "team-a/api": "failed",
    });
    const rogue = result.entries.find((entry) => entry.name === "kube-system/rogue");
    expect(rogue?.reason).toBe(
      "render failed: breaks the target's policy: policy.namespaces: namespace kube-system is not allowed (allowed: team-a)",
    );
    expect(rogue?.location).toEqual({ file: "k8s/helmfile.yaml", line: 7 });
    const vendored = result.entries.find((entry) => entry.name === "team-a/vendored");
    expect(vendored?.reason).toContain(
      "policy.chartRepositories: chart ./charts/../vendor/greeter is not from an allowed repository (allowed: ./charts/)",
    );
    expect(result.entries.find((entry) => entry.name === "team-a/api")?.reason).toMatch(
      /^left git, but not pruned/,
    );
    expect(releasesInCluster()).toEqual(["api", "web"]);
    const templated = (await helmfileCalls(log))
      .slice(before)
      .filter((call) => call.argv.includes("template"))
      .map((call) => call.argv.join(" "));
    expect(templated.join("\n")).not.toMatch(/rogue|vendored/);
  });
});
