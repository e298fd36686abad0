// The Swarm-level rules of croncd's validate, proven on the real test Swarm: files docker's
// reader (`docker stack config`) accepts, which `docker stack deploy` and Swarm then refuse or
// break. `croncd validate` must refuse each one before any deploy, and say why.
import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCroncd, writeConfig, type CroncdResult } from "../helpers/croncd.js";
import {
  docker,
  dockerHost,
  listTasks,
  removeAllStacks,
  TEST_IMAGE,
  uniqueStackName,
  waitFor,
} from "../helpers/docker.js";
import { createBareRepo, TestRepo } from "../helpers/git-repo.js";

const prefix = uniqueStackName("refuse");
const stacks = {
  buildOnly: `${prefix}-build`,
  dottedName: `${prefix}-dots`,
  relativeBind: `${prefix}-bind`,
  upperCaseImage: `${prefix}-image`,
  undeclaredSecret: `${prefix}-undeclared`,
  globalReplicas: `${prefix}-global`,
  sharedPort: `${prefix}-port`,
  dnsrrPort: `${prefix}-dnsrr`,
};

const files: Record<string, string> = {
  [stacks.buildOnly]: `services:\n  web:\n    build: .\n`,
  [stacks.dottedName]: `services:\n  web.app:\n    image: ${TEST_IMAGE}\n    command: ["sleep", "3600"]\n`,
  [stacks.upperCaseImage]: `services:\n  web:\n    image: Busybox:latest\n`,
  [stacks.undeclaredSecret]: `services:\n  web:\n    image: ${TEST_IMAGE}\n    secrets: [db]\n`,
  [stacks.globalReplicas]: `services:\n  web:\n    image: ${TEST_IMAGE}\n    deploy:\n      mode: global\n      replicas: 2\n`,
  [stacks.sharedPort]: `services:\n  a:\n    image: ${TEST_IMAGE}\n    command: ["sleep", "3600"]\n    ports: ["28412:80"]\n  b:\n    image: ${TEST_IMAGE}\n    command: ["sleep", "3600"]\n    ports: ["28412:81"]\n`,
  [stacks.dnsrrPort]: `services:\n  web:\n    image: ${TEST_IMAGE}\n    command: ["sleep", "3600"]\n    ports: ["28411:80"]\n    deploy:\n      endpoint_mode: dnsrr\n`,
  // No restarts: one failed task proves the point, and a restart loop would only load the Swarm.
  [stacks.relativeBind]: `services:\n  app:\n    image: ${TEST_IMAGE}\n    command: ["sleep", "3600"]\n    volumes:\n      - ./data:/data\n    deploy:\n      restart_policy:\n        condition: none\n`,
};

/** The test's temporary folder: the git repositories and the originals deployed as they are. */
let work: string;

/**
 * `docker stack deploy` of one original file, from a folder of its own as croncd's job would run
 * it; `prepare` adds what the file refers to.
 */
async function deployOriginal(
  stack: string,
  prepare: (folder: string) => Promise<unknown> = () => Promise.resolve(),
): Promise<{ folder: string; exitCode: number; output: string }> {
  const folder = path.join(work, "originals", stack);
  await mkdir(folder, { recursive: true });
  await writeFile(path.join(folder, "compose.yaml"), files[stack] ?? "");
  await prepare(folder);
  const result = await execa(
    "docker",
    ["stack", "deploy", "--detach=true", "--resolve-image", "never", "-c", "compose.yaml", stack],
    { cwd: folder, env: { DOCKER_HOST: dockerHost() }, reject: false, timeout: 120_000 },
  );
  return {
    folder,
    exitCode: result.exitCode ?? -1,
    output: `${String(result.stdout)}\n${String(result.stderr)}`,
  };
}

describe("Swarm-level rules: what docker's reader accepts but Swarm does not deploy", () => {
  let validation: CroncdResult;

  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), "croncd-refusals-"));
    const bare = await createBareRepo(work, "stacks.git");
    const repo = await TestRepo.create(
      path.join(work, "checkout"),
      Object.fromEntries(
        Object.entries(files).map(([stack, text]) => [`stacks/${stack}/compose.yaml`, text]),
      ),
    );
    await repo.push(bare);
    const config = await writeConfig(
      work,
      [{ name: "platform", url: bare }],
      [{ name: prefix, source: "platform", path: "stacks" }],
    );
    validation = await runCroncd(["validate", "--config", config], { cwd: work });
  });

  afterAll(async () => {
    await removeAllStacks(prefix);
    await rm(work, { recursive: true, force: true });
  });

  it("croncd validate fails the merge request", () => {
    expect(validation.exitCode, validation.output).toBe(1);
  });

  it("refuses a service with build: and no image:, which docker stack deploy refuses", async () => {
    expect(validation.output).toMatch(
      new RegExp(`stacks/${stacks.buildOnly}/compose.yaml:2: services.web: has build: but no image`),
    );
    const deploy = await deployOriginal(stacks.buildOnly);
    expect(deploy.exitCode).not.toBe(0);
    expect(deploy.output).toContain("no image specified");
  });

  it("refuses a service name that is not a DNS label, which Swarm refuses", async () => {
    expect(validation.output).toContain(
      `services["web.app"]: service name "${stacks.dottedName}_web.app" is not a DNS label`,
    );
    const deploy = await deployOriginal(stacks.dottedName);
    expect(deploy.exitCode).not.toBe(0);
    expect(deploy.output).toContain("DNS name");
  });

  it("refuses an image reference docker stack deploy refuses", async () => {
    expect(validation.output).toContain(
      '"Busybox:latest" is not an image reference docker stack deploy accepts',
    );
    const deploy = await deployOriginal(stacks.upperCaseImage);
    expect(deploy.exitCode).not.toBe(0);
    expect(deploy.output).toContain("must be lowercase");
  });

  it("refuses a reference to a secret the file does not declare, which docker stack deploy refuses", async () => {
    expect(validation.output).toContain(
      `stacks/${stacks.undeclaredSecret}/compose.yaml:4: services.web.secrets[0]: secret "db" is not declared`,
    );
    const deploy = await deployOriginal(stacks.undeclaredSecret);
    expect(deploy.exitCode).not.toBe(0);
    expect(deploy.output).toContain('undefined secret "db"');
  });

  it("refuses replicas on a global service, which docker stack deploy refuses", async () => {
    expect(validation.output).toContain(
      "services.web.deploy.replicas: replicas cannot be set with mode: global",
    );
    const deploy = await deployOriginal(stacks.globalReplicas);
    expect(deploy.exitCode).not.toBe(0);
    expect(deploy.output).toContain("replicas can only be used with replicated");
  });

  it("refuses one ingress port for two services of the stack, which Swarm refuses", async () => {
    expect(validation.output).toContain("port 28412/tcp is already published by service a");
    const deploy = await deployOriginal(stacks.sharedPort);
    expect(deploy.exitCode).not.toBe(0);
    expect(deploy.output).toContain("is already in use by service");
  });

  it("refuses an ingress port with endpoint_mode: dnsrr, which Swarm refuses", async () => {
    expect(validation.output).toContain("for a service with endpoint_mode: dnsrr");
    const deploy = await deployOriginal(stacks.dnsrrPort);
    expect(deploy.exitCode).not.toBe(0);
    expect(deploy.output).toContain("can't be used with dnsrr mode");
  });

  it("refuses a relative bind mount, which breaks once the CI checkout is gone", async () => {
    expect(validation.output).toContain('bind mount source "./data" is relative');
    // Deployed from a folder that then disappears, as croncd's checkout does when the job ends:
    // the next task Swarm starts (a restart, a node change) has nothing to mount.
    const deploy = await deployOriginal(stacks.relativeBind, (folder) => mkdir(path.join(folder, "data")));
    expect(deploy.exitCode, deploy.output).toBe(0);
    await rm(deploy.folder, { recursive: true, force: true });
    const service = `${stacks.relativeBind}_app`;
    await docker(["service", "update", "--detach", "--force", service]);
    const failure = await waitFor(
      async () =>
        (await listTasks(service)).find((task) =>
          /bind source path does not exist/.test(task.Status.Err ?? ""),
        )?.Status.Err,
      { timeoutMs: 60_000, what: `a task of ${service} failing on the missing bind source` },
    );
    expect(failure).toContain(path.join(deploy.folder, "data"));
  });
});
