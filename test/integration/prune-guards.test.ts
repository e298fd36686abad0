// The guards around pruning, on a real Swarm: an emptied stacks folder and a mass deletion are
// refused (the run fails, everything stays), and one stack that fails does not stop the others.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { actionsByStack, readReport, runCroncd, writeConfig } from "../helpers/croncd.js";
import { listServices, removeAllStacks, TEST_IMAGE, uniqueStackName } from "../helpers/docker.js";
import { createBareRepo, TestRepo } from "../helpers/git-repo.js";

const prefix = uniqueStackName("guard");
const names = ["a", "b", "c"].map((suffix) => `${prefix}-${suffix}`);
const compose = `services:\n  app:\n    image: ${TEST_IMAGE}\n    command: ["sleep", "3600"]\n`;

describe("prune guards on a real Swarm", () => {
  let work: string;
  let bare: string;
  let repo: TestRepo;
  const reportFile = () => path.join(work, "report.json");
  const count = async () =>
    (await Promise.all(names.map((name) => listServices(`com.docker.stack.namespace=${name}`)))).flat()
      .length;

  async function reconcile(options: { allowEmpty?: boolean; maxPrune?: number } = {}) {
    const configFile = await writeConfig(
      work,
      [{ name: "platform", url: bare }],
      [{ name: prefix, source: "platform", path: "stacks", prune: true, ...options }],
    );
    return runCroncd(["reconcile", "--config", configFile, "--report", reportFile()], { cwd: work });
  }

  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), "croncd-guard-"));
    bare = await createBareRepo(work, "stacks.git");
    repo = await TestRepo.create(
      path.join(work, "checkout"),
      Object.fromEntries(names.map((name) => [`stacks/${name}/compose.yaml`, compose])),
    );
    await repo.push(bare);
    const first = await reconcile();
    expect(first.exitCode, first.output).toBe(0);
    expect(await count()).toBe(3);
  });

  afterAll(async () => {
    await removeAllStacks(prefix);
    await rm(work, { recursive: true, force: true });
  });

  it("one stack failing to deploy does not stop the others", async () => {
    // Passes validate, refused at deploy time (the external network does not exist): the stack
    // fails on its own, in the deploy stage.
    const broken = `${prefix}-d`;
    await repo.write(
      `stacks/${broken}/compose.yaml`,
      `services:\n  app:\n    image: ${TEST_IMAGE}\n    networks: [missing]\nnetworks:\n  missing:\n    external: true\n`,
    );
    await repo.write(`stacks/${names[0]}/compose.yaml`, compose.replace("3600", "3601"));
    // Looks like a rename of c to d: c must not go while d failed to deploy.
    await repo.remove(`stacks/${names[2]}`);
    await repo.commit("one broken, one changed, one gone");
    await repo.push(bare);
    const result = await reconcile();
    expect(result.exitCode).toBe(1);
    const report = await readReport(reportFile());
    expect(actionsByStack(report)).toMatchObject({
      [names[0] as string]: "configured",
      [broken]: "failed",
      [names[2] as string]: "failed",
    });
    expect(report.entries.find((entry) => entry.name === names[2])?.reason).toBe(
      "not pruned: 1 stack(s) of this target failed to deploy in this run",
    );
    expect(result.output).toContain(`stack ${broken}: failed`);
    expect(await count()).toBe(3);
    await repo.remove(`stacks/${broken}`);
    await repo.commit("drop the broken stack");
    await repo.push(bare);
  });

  it("refuses to prune when git declares no stack at all, unless allowEmpty", async () => {
    for (const name of names) await repo.remove(`stacks/${name}`);
    await repo.write("stacks/.gitkeep", "");
    await repo.commit("empty the stacks folder");
    await repo.push(bare);
    const refused = await reconcile({ maxPrune: 10 });
    expect(refused.exitCode).toBe(1);
    expect(refused.output).toContain("git declares no stack at all for this target");
    expect(await count()).toBe(3);
  });

  it("refuses a mass deletion beyond maxPrune, and then allows it when raised", async () => {
    const refused = await reconcile({ allowEmpty: true, maxPrune: 2 });
    expect(refused.exitCode).toBe(1);
    expect(refused.output).toContain("3 stacks left git, more than maxPrune (2)");
    expect(await count()).toBe(3);

    const allowed = await reconcile({ allowEmpty: true, maxPrune: 3 });
    expect(allowed.exitCode, allowed.output).toBe(0);
    expect(Object.values(actionsByStack(await readReport(reportFile())))).toEqual([
      "deleted",
      "deleted",
      "deleted",
    ]);
    expect(await count()).toBe(0);
  });
});
