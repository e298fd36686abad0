// Nothing is pruned unless the whole desired state was read — across targets too — and files
// reached through symbolic links stay inside the repository.
import { mkdtemp, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { actionsByStack, readReport, runCroncd, writeConfig } from "../helpers/croncd.js";
import { listServices, removeAllStacks, TEST_IMAGE, uniqueStackName } from "../helpers/docker.js";
import { createBareRepo, TestRepo } from "../helpers/git-repo.js";

const prefix = uniqueStackName("whole");
const gone = `${prefix}-gone`;
const stays = `${prefix}-stays`;
const other = `${prefix}-other`;
// `sleep` as PID 1 ignores SIGTERM: a short grace keeps stack removals (and the tests) quick.
const compose = `services:\n  app:\n    image: ${TEST_IMAGE}\n    command: ["sleep", "3600"]\n    stop_grace_period: 1s\n`;

describe("the whole desired state", () => {
  let work: string;
  let bare: string;
  let repo: TestRepo;
  let configFile: string;
  const reportFile = () => path.join(work, "report.json");
  const reconcile = () =>
    runCroncd(["reconcile", "--config", configFile, "--report", reportFile()], { cwd: work });
  const running = async (stack: string) => (await listServices(`com.docker.stack.namespace=${stack}`)).length;

  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), "croncd-whole-"));
    bare = await createBareRepo(work, "stacks.git");
    repo = await TestRepo.create(path.join(work, "checkout"), {
      [`a/${gone}/compose.yaml`]: compose,
      [`a/${stays}/compose.yaml`]: compose,
      [`b/${other}/compose.yaml`]: compose,
    });
    await repo.push(bare);
    // Two targets from one repository: a/ and b/.
    configFile = await writeConfig(
      work,
      [{ name: "platform", url: bare }],
      [
        { name: `${prefix}-a`, source: "platform", path: "a", prune: true },
        { name: `${prefix}-b`, source: "platform", path: "b", prune: true },
      ],
    );
    const first = await reconcile();
    expect(first.exitCode, first.output).toBe(0);
  });

  afterAll(async () => {
    await removeAllStacks(prefix);
    await rm(work, { recursive: true, force: true });
  });

  it("a stack failing to render in one target blocks pruning in every target", async () => {
    await repo.remove(`a/${gone}`);
    await repo.write(`b/${other}/compose.yaml`, "services: [not, a, mapping\n");
    await repo.commit("gone leaves a/, other breaks in b/");
    await repo.push(bare);
    const result = await reconcile();
    expect(result.exitCode).toBe(1);
    const report = await readReport(reportFile());
    expect(actionsByStack(report)).toMatchObject({
      [gone]: "failed",
      [stays]: "unchanged",
      [other]: "failed",
    });
    expect(report.entries.find((entry) => entry.name === gone)?.reason).toContain(
      `desired state is incomplete (stack ${other} failed to render)`,
    );
    // The broken stack is still running and is not reported as having left git.
    expect(report.entries.filter((entry) => entry.name === other)).toHaveLength(1);
    expect(await running(gone)).toBe(1);
    expect(await running(other)).toBe(1);
  });

  it("a folder whose name is no stack name fails alone, and also blocks pruning", async () => {
    await repo.write(`b/${other}/compose.yaml`, compose);
    await repo.write("a/Not.A.Stack/compose.yaml", compose);
    await repo.commit("fix other, add a badly named folder");
    await repo.push(bare);
    const result = await reconcile();
    expect(result.exitCode).toBe(1);
    expect(result.output).toContain(
      'stack Not.A.Stack: failed — render failed: a/Not.A.Stack: "Not.A.Stack" is not a valid stack name',
    );
    expect(actionsByStack(await readReport(reportFile()))).toMatchObject({
      [stays]: "unchanged",
      [other]: "unchanged",
    });
    expect(await running(gone)).toBe(1);
  });

  it("a .env linked to the runner's environment is refused, and nothing of it is deployed", async () => {
    await repo.remove("a/Not.A.Stack");
    await repo.write(
      `a/${stays}/compose.yaml`,
      compose.replace("command:", "environment:\n      LEAK: ${HOME}\n    command:"),
    );
    await symlink("/proc/self/environ", path.join(repo.dir, `a/${stays}/.env`));
    await repo.commit("a .env that points out of the repository");
    await repo.push(bare);
    const result = await reconcile();
    expect(result.exitCode).toBe(1);
    expect(result.output).toContain(
      `stack ${stays}: failed — render failed: a/${stays}/.env: ".env" resolves through a symlink`,
    );
    const [service] = await listServices(`com.docker.stack.namespace=${stays}`);
    expect(JSON.stringify(service?.Spec.TaskTemplate.ContainerSpec)).not.toContain("LEAK");
  });

  it("a compose file linked inside the repository works; one linked outside is refused", async () => {
    await repo.remove(`a/${stays}/.env`);
    await repo.write(`a/${stays}/compose.yaml`, compose);
    await repo.write("shared/compose.yaml", compose.replace("3600", "3602"));
    await repo.remove(`b/${other}/compose.yaml`);
    await symlink("../../shared/compose.yaml", path.join(repo.dir, `b/${other}/compose.yaml`));
    await repo.commit("other uses a shared compose file");
    await repo.push(bare);
    const inside = await reconcile();
    expect(inside.exitCode, inside.output).toBe(0);
    expect(actionsByStack(await readReport(reportFile()))).toMatchObject({
      [other]: "configured",
      [gone]: "deleted",
    });

    await repo.remove(`b/${other}/compose.yaml`);
    await symlink("/etc/hostname", path.join(repo.dir, `b/${other}/compose.yaml`));
    await repo.commit("link out");
    await repo.push(bare);
    const outside = await reconcile();
    expect(outside.exitCode).toBe(1);
    expect(outside.output).toContain(`b/${other}/compose.yaml: "compose.yaml" resolves through a symlink`);
  });

  // Target a prunes the stack, then target b creates it: b must not plan against the live state
  // read at the start of the run, where the stack still belonged to a. The plan must say the same.
  it("a stack moved from one target to another moves in one run, as the plan says", async () => {
    await repo.remove(`b/${other}/compose.yaml`);
    await repo.write(`b/${other}/compose.yaml`, compose);
    await repo.write(`a/${prefix}-new/compose.yaml`, compose);
    await repo.commit("a stack that keeps target a non-empty");
    await repo.push(bare);
    const before = await reconcile();
    expect(before.exitCode, before.output).toBe(0);

    await repo.remove(`a/${stays}`);
    await repo.write(`b/${stays}/compose.yaml`, compose);
    await repo.commit("stays moves from a/ to b/");
    await repo.push(bare);
    const movesOf = async () =>
      (await readReport(reportFile())).entries
        .filter((entry) => entry.name === stays)
        .map((entry) => [entry.target, entry.action]);
    const expected = [
      [`${prefix}-a`, "deleted"],
      [`${prefix}-b`, "created"],
    ];
    const plan = await runCroncd(["plan", "--config", configFile, "--report", reportFile()], { cwd: work });
    expect(plan.exitCode, plan.output).toBe(2);
    expect(await movesOf()).toEqual(expected);

    const moved = await reconcile();
    expect(moved.exitCode, moved.output).toBe(0);
    expect(await movesOf()).toEqual(expected);
    const [service] = await listServices(`com.docker.stack.namespace=${stays}`);
    expect(service?.Spec.Labels?.["io.croncd.target"]).toBe(`${prefix}-b`);
  });
});
