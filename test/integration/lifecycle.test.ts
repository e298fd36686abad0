// The whole life of a config repository on a real Swarm: create → reconcile again (no change) →
// change one stack → remove a stack from git (pruned) → a stack deployed by hand with the same
// name prefix survives. Runs the real croncd command against the private test Swarm.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { actionsByStack, readReport, runCroncd, writeConfig } from "../helpers/croncd.js";
import {
  docker,
  listServices,
  removeAllStacks,
  TEST_IMAGE,
  TEST_IMAGE_V2,
  uniqueStackName,
  waitFor,
} from "../helpers/docker.js";
import { createBareRepo, TestRepo } from "../helpers/git-repo.js";

const prefix = uniqueStackName("life");
const web = `${prefix}-web`;
const api = `${prefix}-api`;
const manual = `${prefix}-web-manual`;
const target = prefix;

const webCompose = (image: string) => `x-croncd:
  prune: true
services:
  app:
    image: ${image}
    command: ["sleep", "3600"]
    environment:
      GREETING: \${GREETING:?set GREETING in .env}
      PASSWORD: "pa$$word"
      FROM_ENV_FILE_OVERRIDE: from-compose
    env_file: app.env
    configs:
      - source: page
        target: /www/index.html
    networks: [backend]
    deploy:
      labels:
        team: web
configs:
  page:
    file: ./index.html
networks:
  backend:
    driver: overlay
`;

const apiCompose = `services:
  api:
    image: ${TEST_IMAGE}
    command: ["sleep", "3600"]
`;

describe("reconcile lifecycle on a real Swarm", () => {
  let work: string;
  let bare: string;
  let repo: TestRepo;
  let configFile: string;
  const reportFile = () => path.join(work, "report.json");
  const reconcile = (...extra: string[]) =>
    runCroncd(["reconcile", "--config", configFile, "--report", reportFile(), ...extra], { cwd: work });

  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), "croncd-life-"));
    bare = await createBareRepo(work, "stacks.git");
    repo = await TestRepo.create(path.join(work, "checkout"), {
      [`stacks/${web}/compose.yaml`]: webCompose(TEST_IMAGE),
      [`stacks/${web}/.env`]: "GREETING=hello\n",
      [`stacks/${web}/app.env`]: "FROM_ENV_FILE=yes\nFROM_ENV_FILE_OVERRIDE=from-env-file\n",
      [`stacks/${web}/index.html`]: "<p>v1</p>\n",
      [`stacks/${api}/compose.yaml`]: apiCompose,
      "stacks/README.md": "not a stack\n",
    });
    await repo.push(bare);
    configFile = await writeConfig(
      work,
      [{ name: "platform", url: bare, ref: "main" }],
      [{ name: target, source: "platform", path: "stacks", prune: true }],
    );
  });

  afterAll(async () => {
    await removeAllStacks(prefix);
    await rm(work, { recursive: true, force: true });
  });

  it("creates every stack of the repository, with croncd's labels on the services only", async () => {
    const result = await reconcile();
    expect(result.exitCode, result.output).toBe(0);
    expect(actionsByStack(await readReport(reportFile()))).toEqual({ [web]: "created", [api]: "created" });
    expect(result.output).toMatch(new RegExp(`\\[${target}\\] stack ${web}: created in \\d+\\.\\ds`));

    const [service] = await listServices(`com.docker.stack.namespace=${web}`);
    expect(service?.Spec.Name).toBe(`${web}_app`);
    const labels = service?.Spec.Labels ?? {};
    expect(labels).toMatchObject({
      "io.croncd.managed-by": "croncd",
      "io.croncd.target": target,
      "io.croncd.source": bare,
      "io.croncd.commit": await repo.head(),
      team: "web",
    });
    expect(labels["io.croncd.desired-hash"]).toMatch(/^[0-9a-f]{64}$/);
    // Container labels would restart tasks on every commit: croncd must not put its own there.
    const containerLabels =
      (service?.Spec.TaskTemplate.ContainerSpec as { Labels?: Record<string, string> }).Labels ?? {};
    expect(Object.keys(containerLabels).filter((key) => key.startsWith("io.croncd."))).toEqual([]);

    // Interpolated once, by croncd: `$$` in git is a single `$` in the container, env files folded in.
    const env = (service?.Spec.TaskTemplate.ContainerSpec as { Env?: string[] }).Env ?? [];
    expect(env).toEqual(
      expect.arrayContaining([
        "GREETING=hello",
        "PASSWORD=pa$word",
        "FROM_ENV_FILE=yes",
        "FROM_ENV_FILE_OVERRIDE=from-compose",
      ]),
    );
    await waitFor(
      async () =>
        (await docker(["service", "ps", `${web}_app`, "--format", "{{.CurrentState}}"])).startsWith(
          "Running",
        ),
      {
        timeoutMs: 60_000,
        what: `${web}_app to run`,
      },
    );
  });

  it("changes nothing on a second run when git did not change", async () => {
    const before = await listServices(`io.croncd.target=${target}`);
    const result = await reconcile();
    expect(result.exitCode, result.output).toBe(0);
    expect(actionsByStack(await readReport(reportFile()))).toEqual({
      [web]: "unchanged",
      [api]: "unchanged",
    });
    const after = await listServices(`io.croncd.target=${target}`);
    expect(after.map((s) => [s.Spec.Name, s.Version.Index]).sort()).toEqual(
      before.map((s) => [s.Spec.Name, s.Version.Index]).sort(),
    );
  });

  it("plans and then updates only the stack that changed in git", async () => {
    await repo.write(`stacks/${web}/compose.yaml`, webCompose(TEST_IMAGE_V2));
    await repo.write(`stacks/${web}/index.html`, "<p>v2</p>\n");
    const commit = await repo.commit("web: image v2, new page");
    await repo.push(bare);
    const apiBefore = await listServices(`com.docker.stack.namespace=${api}`);

    const plan = await runCroncd(["plan", "--config", configFile], { cwd: work });
    expect(plan.exitCode, plan.output).toBe(2);
    expect(plan.output).toContain(`stack ${web}: would update — desired state changed`);
    expect(plan.output).toContain(`stack ${api}: unchanged`);
    const [stillOld] = await listServices(`com.docker.stack.namespace=${web}`);
    expect(stillOld?.Spec.TaskTemplate.ContainerSpec.Image).toContain(TEST_IMAGE);

    const result = await reconcile();
    expect(result.exitCode, result.output).toBe(0);
    expect(actionsByStack(await readReport(reportFile()))).toEqual({
      [web]: "configured",
      [api]: "unchanged",
    });
    const [updated] = await listServices(`com.docker.stack.namespace=${web}`);
    expect(updated?.Spec.TaskTemplate.ContainerSpec.Image).toContain(TEST_IMAGE_V2);
    expect(updated?.Spec.Labels?.["io.croncd.commit"]).toBe(commit);
    // Swarm configs are immutable: the changed page is a new config object named by its content.
    const configNames = (
      updated?.Spec.TaskTemplate.ContainerSpec as { Configs?: { ConfigName: string }[] }
    ).Configs?.map((c) => c.ConfigName);
    expect(configNames?.[0]).toMatch(new RegExp(`^${web}_page-[0-9a-f]{12}$`));
    const apiAfter = await listServices(`com.docker.stack.namespace=${api}`);
    expect(apiAfter[0]?.Version.Index).toBe(apiBefore[0]?.Version.Index);
  });

  it("prunes a stack removed from git and leaves a hand-deployed stack with the same prefix alone", async () => {
    await docker(["stack", "deploy", "--resolve-image", "never", "--compose-file", "-", manual], {
      input: `services:\n  app:\n    image: ${TEST_IMAGE}\n    command: ["sleep", "3600"]\n`,
    });
    await repo.remove(`stacks/${api}`);
    await repo.commit("remove api");
    await repo.push(bare);

    const result = await reconcile();
    expect(result.exitCode, result.output).toBe(0);
    const actions = actionsByStack(await readReport(reportFile()));
    expect(actions).toEqual({ [web]: "unchanged", [api]: "deleted" });
    expect(await listServices(`com.docker.stack.namespace=${api}`)).toEqual([]);
    expect(await listServices(`com.docker.stack.namespace=${manual}`)).toHaveLength(1);
    expect(await listServices(`com.docker.stack.namespace=${web}`)).toHaveLength(1);
  });
});
