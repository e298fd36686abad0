// An explicit `name:` on a config or secret, on a real Swarm: croncd keeps it as written, so another
// stack can refer to the object as `external`; a content change under that fixed name fails the
// stack that declares it with a message that says what to do, deploys nothing of it, and leaves
// the other stacks alone. Covers a plain config and a sops secret (created by croncd from memory),
// and what `render --out` shows of the latter.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { actionsByStack, readReport, runCroncd, writeConfig } from "../helpers/croncd.js";
import {
  docker,
  listServices,
  readInServiceContainer,
  removeAllStacks,
  TEST_IMAGE,
  uniqueStackName,
} from "../helpers/docker.js";
import { createBareRepo, TestRepo } from "../helpers/git-repo.js";
import { rotationAgeKeys, sopsFixture } from "../helpers/sops-fixtures.js";

const prefix = uniqueStackName("names");
const owner = `${prefix}-owner`;
const user = `${prefix}-user`;
const bystander = `${prefix}-other`;
const sharedConfig = `${prefix}-settings`;
const sharedSecret = `${prefix}-token`;

const service = (extra: string) =>
  `services:\n  app:\n    image: ${TEST_IMAGE}\n    command: ["sleep", "3600"]\n    stop_grace_period: 1s\n${extra}`;

const ownerCompose = `${service("    configs: [settings]\n    secrets: [token]\n")}configs:
  settings:
    file: ./settings.txt
    name: ${sharedConfig}
secrets:
  token:
    file: ./token.sops.yaml
    name: ${sharedSecret}
`;

const userCompose = `${service("    configs: [settings]\n    secrets: [token]\n")}configs:
  settings:
    external: true
    name: ${sharedConfig}
secrets:
  token:
    external: true
    name: ${sharedSecret}
x-croncd:
  dependsOn: [${owner}]
`;

describe("explicit names of configs and secrets", () => {
  let work: string;
  let bare: string;
  let repo: TestRepo;
  let configFile: string;
  let ageKeys: string;
  const reportFile = () => path.join(work, "report.json");
  const reconcile = () =>
    runCroncd(["reconcile", "--config", configFile, "--report", reportFile()], {
      cwd: work,
      env: { SOPS_AGE_KEY: ageKeys },
    });
  const serviceOf = async (stack: string) =>
    (await listServices(`com.docker.stack.namespace=${stack}`))[0] as Awaited<
      ReturnType<typeof listServices>
    >[number];
  const readInContainer = (stack: string, file: string) => readInServiceContainer(`${stack}_app`, file);

  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), "croncd-names-"));
    ageKeys = await rotationAgeKeys();
    bare = await createBareRepo(work, "stacks.git");
    repo = await TestRepo.create(path.join(work, "checkout"), {
      [`stacks/${owner}/compose.yaml`]: ownerCompose,
      [`stacks/${owner}/settings.txt`]: "level=1\n",
      [`stacks/${owner}/token.sops.yaml`]: await sopsFixture("helm-secrets/secrets.age.yaml"),
      [`stacks/${user}/compose.yaml`]: userCompose,
      [`stacks/${bystander}/compose.yaml`]: service("    environment: { ROUND: '1' }\n"),
    });
    await repo.push(bare);
    configFile = await writeConfig(
      work,
      [{ name: "platform", url: bare }],
      [{ name: prefix, source: "platform", path: "stacks" }],
    );
  });

  afterAll(async () => {
    await removeAllStacks(prefix);
    await rm(work, { recursive: true, force: true });
  });

  it("keeps the name as written, so another stack uses the object as external", async () => {
    const result = await reconcile();
    expect(result.exitCode, result.output).toBe(0);
    expect(result.output).not.toContain("global_age");
    const configs = await docker(["config", "ls", "--format", "{{.Name}}"]);
    const secrets = await docker(["secret", "ls", "--format", "{{.Name}}"]);
    expect(configs.split("\n").filter((name) => name.startsWith(prefix))).toEqual([sharedConfig]);
    expect(secrets.split("\n").filter((name) => name.startsWith(prefix))).toEqual([sharedSecret]);
    // The other stack's containers read both objects, the sops one decrypted.
    expect(await readInContainer(user, `/settings`)).toBe("level=1");
    expect(await readInContainer(user, `/run/secrets/token`)).toContain("global_secret: global_age");
  });

  it("a changed file under a fixed name fails that stack with what to do; the others go on", async () => {
    const ownerBefore = await serviceOf(owner);
    const userBefore = await serviceOf(user);
    await repo.write(`stacks/${owner}/settings.txt`, "level=2\n");
    await repo.write(`stacks/${bystander}/compose.yaml`, service("    environment: { ROUND: '2' }\n"));
    await repo.commit("change the shared settings, and another stack");
    await repo.push(bare);

    const result = await reconcile();
    expect(result.exitCode).toBe(1);
    expect(result.output).toContain(`stack ${owner}: failed in`);
    expect(result.output).toContain(
      `config settings: its content changed but its name is fixed by \`name:\` (${sharedConfig}); ` +
        `Swarm objects cannot change: give it a new name (e.g. ${sharedConfig}-v2) here and in the stacks ` +
        "that use it, or remove `name:` to let croncd name each revision by content",
    );
    expect(actionsByStack(await readReport(reportFile()))).toEqual({
      [owner]: "failed",
      [user]: "unchanged",
      [bystander]: "configured",
    });
    // Nothing of the refused stack was deployed; the stack that uses the object still reads it.
    expect((await serviceOf(owner)).Version.Index).toBe(ownerBefore.Version.Index);
    expect((await serviceOf(user)).Version.Index).toBe(userBefore.Version.Index);
    expect(await readInContainer(user, `/settings`)).toBe("level=1");
  });

  it("the same for a sops secret croncd creates from memory", async () => {
    await repo.write(`stacks/${owner}/settings.txt`, "level=1\n");
    await repo.write(
      `stacks/${owner}/token.sops.yaml`,
      await sopsFixture("flux-kustomize-controller/algorithms-age.yaml"),
    );
    await repo.commit("rotate the shared token under its fixed name");
    await repo.push(bare);

    const result = await reconcile();
    expect(result.exitCode).toBe(1);
    expect(result.output).toContain(
      `secret token: its content changed but its name is fixed by \`name:\` (${sharedSecret}); ` +
        "Swarm objects cannot change",
    );
    expect(actionsByStack(await readReport(reportFile()))[owner]).toBe("failed");
    const secrets = await docker(["secret", "ls", "--format", "{{.Name}}"]);
    expect(secrets.split("\n").filter((name) => name.startsWith(prefix))).toEqual([sharedSecret]);
    expect(await readInContainer(user, `/run/secrets/token`)).toContain("global_secret: global_age");
  });

  it("render --out writes what docker stack deploy reads: the sops secret as external, by name", async () => {
    const out = path.join(work, "rendered");
    const result = await runCroncd(["render", "--config", configFile, "--out", out], {
      cwd: work,
      env: { SOPS_AGE_KEY: ageKeys },
    });
    expect(result.exitCode, result.output).toBe(0);
    const rendered = await readFile(path.join(out, prefix, owner, "compose.yaml"), "utf8");
    // docker's own reader of stack files accepts it, and reads the secret as external.
    const read = parse(
      await docker(["stack", "config", "--compose-file", "-"], { input: rendered, cwd: work }),
    ) as { secrets: Record<string, unknown> };
    expect(read.secrets).toEqual({ token: { name: sharedSecret, external: true } });
    // Nothing of the decrypted file (now flux's `stringData: {key: value}`) is in it.
    expect(rendered).not.toContain("stringData");
  });
});
