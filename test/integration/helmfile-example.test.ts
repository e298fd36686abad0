// examples/helmfile-basic deploys as its README says: its croncd.yaml target is valid, its sops
// values open with the fixture age key, and both releases come up through the kube context the CI
// variables name. Real helm and kubectl against the Kubernetes API stand-in, the FAKE helmfile of
// test/fake-bin (real helmfile cannot be installed here).
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { SecretMasker } from "../../src/report/mask.js";
import { createHelmfileTarget, helmfileTargetSchema } from "../../src/targets/helmfile/index.js";
import { actions, FAKE_HELMFILE, runTarget, toolsDir } from "../helpers/helmfile-target.js";
import { storedReleases } from "../helpers/kube/helm-releases.js";
import { startKubeStandin, type KubeStandin } from "../helpers/kube/server.js";
import { helmPath, kubectlPath } from "../helpers/kube/tools.js";
import { standinOnlyNote } from "../helpers/kube/real-cluster.js";

const EXAMPLE = fileURLToPath(new URL("../../examples/helmfile-basic", import.meta.url));
const AGE_KEY = fileURLToPath(new URL("../fixtures/sops/humphd-sops-age/key.txt", import.meta.url));

describe(`examples/helmfile-basic${standinOnlyNote()}`, () => {
  let work: string;
  let standin: KubeStandin;

  beforeEach(() => {
    helmPath();
  });

  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), "croncd-helmfile-example-"));
    standin = await startKubeStandin();
  });

  afterAll(async () => {
    await standin?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it("deploys both releases, web with its sops-encrypted password, through the named kube context", async () => {
    standin.grant("tenant-token", { user: "tenant-a", namespaces: ["team-a"] });
    const kubeconfig = await standin.writeKubeconfig(path.join(work, "kubeconfig"), {
      token: "tenant-token",
      namespace: "team-a",
      context: "tenant-a@shared",
    });
    const checkout = path.join(work, "checkout");
    await cp(EXAMPLE, path.join(checkout, "examples/helmfile-basic"), { recursive: true });
    // The stand-in serves no OpenAPI document, which helm validates against unless told not to;
    // a real cluster needs no such line, so the example does not carry it.
    const helmfilePath = path.join(checkout, "examples/helmfile-basic/helmfile.yaml");
    const helmfile = parse(await readFile(helmfilePath, "utf8")) as { helmDefaults: Record<string, unknown> };
    helmfile.helmDefaults.disableOpenAPIValidation = true;
    await writeFile(helmfilePath, stringify(helmfile));

    const config = parse(await readFile(path.join(EXAMPLE, "croncd.yaml"), "utf8")) as {
      targets: Record<string, unknown>[];
    };
    const home = path.join(work, "home");
    process.env.PATH = `${toolsDir()}${path.delimiter}${process.env.PATH ?? ""}`;
    process.env.HELM_CACHE_HOME = path.join(home, "cache");
    process.env.HELM_CONFIG_HOME = path.join(home, "config");
    process.env.HELM_DATA_HOME = path.join(home, "data");
    const result = await runTarget({
      checkout,
      config: { ...config.targets[0], timeout: 20 },
      env: { KUBECONFIG: kubeconfig, KUBE_CONTEXT: "tenant-a@shared", SOPS_AGE_KEY_FILE: AGE_KEY },
    });

    expect(actions(result.entries)).toEqual({ "team-a/web": "created", "team-a/worker": "created" });
    expect(
      storedReleases(standin.objects({ namespace: "team-a" }))
        .map((r) => r.name)
        .sort(),
    ).toEqual(["web", "worker"]);
    const [credentials] = standin.objects({ kind: "Secret", namespace: "team-a", name: "web-credentials" });
    expect((credentials?.data as Record<string, string>).password).toBe(
      Buffer.from("example-only-not-secret").toString("base64"),
    );
    expect(standin.objects({ kind: "Secret", name: "worker-credentials" })).toEqual([]);
  });

  it("writes what croncd render --out shows for each release: the manifests, with the sops value masked", async () => {
    const masker = new SecretMasker();
    const config = parse(await readFile(path.join(EXAMPLE, "croncd.yaml"), "utf8")) as {
      targets: Record<string, unknown>[];
    };
    const target = createHelmfileTarget({
      config: helmfileTargetSchema.parse(config.targets[0]),
      checkout: {
        dir: path.join(work, "checkout"),
        url: "https://git.example/examples.git",
        commit: "0".repeat(40),
      },
      onSecrets: (values) => values.forEach((value) => masker.add(value)),
      // Rendering reads no cluster: the kube variables only have to be set.
      env: { KUBECONFIG: "/nonexistent", KUBE_CONTEXT: "none", SOPS_AGE_KEY_FILE: AGE_KEY },
      tools: { helmfile: FAKE_HELMFILE, helm: helmPath(), kubectl: kubectlPath() },
    });
    const rendered = await target.render();
    expect(rendered.failures).toEqual([]);
    const web = rendered.items.find((item) => item.name === "team-a/web");
    if (!web) throw new Error("web was not rendered");
    const out = path.join(work, "out");
    await target.writeRendered(web, out, masker);
    const manifests = await readFile(path.join(out, "manifests.yaml"), "utf8");
    expect(manifests).toContain("kind: Deployment");
    expect(manifests).toContain('password: "***"');
    expect(manifests).not.toContain("example-only-not-secret");
    expect(target.declaredIn(web)).toBe("examples/helmfile-basic/helmfile.yaml");
  });
});
