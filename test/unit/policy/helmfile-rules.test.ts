// A Helmfile target's policy: namespaces and chart origins, judged from `helmfile list` and the
// helmfile's own repositories before any chart is rendered.
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { readHelmfileFacts, releaseViolations } from "../../../src/targets/helmfile/policy.js";
import type { DeclaredRelease } from "../../../src/targets/helmfile/model.js";
import { policySchema } from "../../../src/targets/policy-schema.js";

const HELMFILE = `repositories:
  - name: bitnami
    url: https://charts.bitnami.com/bitnami
  - name: mirror
    url: https://evil.example.com/bitnami
releases:
  - name: web
    namespace: team-a-web
    chart: ./charts/web
  - name: "cache"
    namespace: team-b
    chart: mirror/redis
`;

const release = (fields: Partial<DeclaredRelease>): DeclaredRelease => ({
  name: "web",
  namespace: "team-a",
  installed: true,
  chart: "./charts/web",
  version: "",
  labels: {},
  ...fields,
});

async function facts() {
  const dir = await mkdtemp(path.join(tmpdir(), "croncd-helmfile-policy-"));
  await writeFile(path.join(dir, "helmfile.yaml"), HELMFILE);
  return readHelmfileFacts(dir, "helmfile.yaml");
}

function problems(
  releases: DeclaredRelease[],
  rules: Record<string, unknown>,
  known: Awaited<ReturnType<typeof facts>>,
) {
  return releaseViolations(releases, policySchema.parse(rules), known).map((v) => [
    v.release.name,
    v.problems,
    v.location,
  ]);
}

describe("Helmfile tenant policy", () => {
  it("allows namespaces by name or by a prefix ending in *", async () => {
    const known = await facts();
    const rules = { namespaces: ["team-a", "team-a-*"] };
    expect(problems([release({}), release({ namespace: "team-a-web" })], rules, known)).toEqual([]);
    expect(problems([release({ name: "cache", namespace: "team-b" })], rules, known)).toEqual([
      [
        "cache",
        ["policy.namespaces: namespace team-b is not allowed (allowed: team-a, team-a-*)"],
        { file: "helmfile.yaml", line: 10 },
      ],
    ]);
  });

  it("refuses a release without a namespace when namespaces are listed", async () => {
    const [violation] = problems([release({ namespace: "" })], { namespaces: ["team-a"] }, await facts());
    expect(violation?.[1]).toEqual([
      "policy.namespaces: no namespace (the kube context's) is not allowed (allowed: team-a)",
    ]);
  });

  it("matches local charts with .. resolved and at a path boundary", async () => {
    const known = await facts();
    const rules = { chartRepositories: ["./charts/"] };
    expect(
      problems(
        [release({ chart: "./charts/web" }), release({ chart: "./charts/../charts/x" })],
        rules,
        known,
      ),
    ).toEqual([]);
    expect(problems([release({ chart: "./charts/../../other/x" })], rules, known)).toHaveLength(1);
    expect(problems([release({ chart: "./charts-evil/x" })], rules, known)).toHaveLength(1);
  });

  it("compares an allowed URL with the URL the helmfile gives a repository alias", async () => {
    const known = await facts();
    const rules = { chartRepositories: ["https://charts.bitnami.com/bitnami"] };
    expect(problems([release({ chart: "bitnami/nginx" })], rules, known)).toEqual([]);
    const [violation] = problems([release({ name: "cache", chart: "mirror/redis" })], rules, known);
    expect(violation?.[1]).toEqual([
      "policy.chartRepositories: chart mirror/redis (repository mirror is https://evil.example.com/bitnami) is not from an allowed repository (allowed: https://charts.bitnami.com/bitnami)",
    ]);
  });

  it("matches OCI charts by URL prefix", async () => {
    const known = await facts();
    const rules = { chartRepositories: ["oci://registry.example.com/team-a"] };
    expect(problems([release({ chart: "oci://registry.example.com/team-a/web" })], rules, known)).toEqual([]);
    expect(
      problems([release({ chart: "oci://registry.example.com/team-ab/web" })], rules, known),
    ).toHaveLength(1);
  });

  it("fails closed on a URL rule when the helmfile's repositories cannot be read", () => {
    const unreadable = { file: "helmfile.yaml.gotmpl", repositories: new Map<string, string>() };
    expect(
      problems(
        [release({ chart: "bitnami/nginx" })],
        { chartRepositories: ["https://charts.bitnami.com/bitnami"] },
        unreadable,
      ),
    ).toHaveLength(1);
  });
});
