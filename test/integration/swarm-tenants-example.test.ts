// examples/swarm-tenants validates as its README says, from a repository holding it as croncd's
// own does (the sources are `../..`); and its policies do refuse: a tenant's stack placed in the
// other tenant's folder breaks that tenant's rules, each named with its line.
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCroncd } from "../helpers/croncd.js";
import { TestRepo } from "../helpers/git-repo.js";

const EXAMPLE = fileURLToPath(new URL("../../examples/swarm-tenants", import.meta.url));
const IN_REPO = "examples/swarm-tenants";

async function exampleFiles(dir: string, relative = ""): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const entry of await readdir(path.join(dir, relative), { withFileTypes: true })) {
    const child = path.join(relative, entry.name);
    if (entry.isDirectory()) Object.assign(files, await exampleFiles(dir, child));
    else files[path.join(IN_REPO, child)] = await readFile(path.join(dir, child), "utf8");
  }
  return files;
}

describe("examples/swarm-tenants", () => {
  let work: string;
  let repo: TestRepo;
  const validate = () =>
    runCroncd(["validate", "--config", path.join(IN_REPO, "croncd.yaml")], { cwd: repo.dir });

  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), "croncd-tenants-example-"));
    repo = await TestRepo.create(path.join(work, "repo"), await exampleFiles(EXAMPLE));
  });

  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it("validates: each tenant's stack keeps to its policy", async () => {
    const result = await validate();
    expect(result.exitCode, result.output).toBe(0);
    expect(result.output).toContain("[team-a] stack team-a-web: skipped — valid");
    expect(result.output).toContain("[team-b] stack team-b-api: skipped — valid");
  });

  it("refuses team B's stack in team A's folder, naming each of team A's rules it breaks", async () => {
    const files = await exampleFiles(EXAMPLE);
    const api = `${IN_REPO}/team-b/stacks/team-b-api/compose.yaml`;
    await repo.write(`${IN_REPO}/team-a/stacks/team-b-api/compose.yaml`, files[api] ?? "");
    await repo.commit("team B's stack in team A's folder");
    const result = await validate();
    expect(result.exitCode).toBe(1);
    const file = `${IN_REPO}/team-a/stacks/team-b-api/compose.yaml`;
    for (const expected of [
      `${file}:3: (top level): policy.stackPrefix: stack "team-b-api" must be named team-a-…`,
      `${file}:8: services.api.cap_add[0]: policy.capAdd: capability NET_BIND_SERVICE is not allowed`,
      `${file}:10: services.api.ports[0]: policy.publishedPorts: publishes port 18100 (allowed: 18000-18099)`,
      `policy.placement: must be placed with the constraint "node.labels.tenant==team-a"`,
    ]) {
      expect(result.output).toContain(expected);
    }
    expect(result.output).toContain("[team-a] stack team-a-web: skipped — valid");
  });
});
