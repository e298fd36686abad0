// Tenant policy on the real test Swarm: a platform croncd.yaml with two tenants, each a source
// and a target with a policy. What a policy forbids is refused at render time with the file, the
// line and the rule, nothing of that stack is deployed and nothing of that target is pruned; a
// compliant stack deploys; the name prefix keeps one tenant from taking another's stack.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { actionsByStack, readReport, runCroncd, writeConfig, type JsonReport } from "../helpers/croncd.js";
import { listServices, removeAllStacks, TEST_IMAGE, uniqueStackName } from "../helpers/docker.js";
import { createBareRepo, TestRepo } from "../helpers/git-repo.js";

const platform = uniqueStackName("tenants");
const teamA = `${platform}-a-`;
const teamB = `${platform}-b-`;
const targetA = `${platform}-team-a`;
const targetB = `${platform}-team-b`;

/** What both tenants' policies say besides the prefix: the platform's common rules. */
const commonRules = {
  images: { registries: ["croncd-test/"] },
  resources: { requireMemoryLimit: true, maxMemory: "128M", maxCpus: 0.5 },
  placement: { required: ["node.role == manager"] },
  publishedPorts: { from: 28600, to: 28699 },
};

const compliant = `x-deploy: &deploy
  resources:
    limits: { memory: 32M, cpus: "0.1" }
  placement:
    constraints: [node.role==manager]
services:
  app:
    image: ${TEST_IMAGE}
    command: ["sleep", "3600"]
    deploy: *deploy
`;

/**
 * One service per forbidden option, each otherwise compliant; the published port comes from
 * the stack's .env, so the rule is seen to judge the interpolated file.
 */
const forbidden = `x-deploy: &deploy
  resources:
    limits: { memory: 32M, cpus: "0.1" }
  placement:
    constraints: [node.role==manager]
x-app: &app
  image: ${TEST_IMAGE}
  command: ["sleep", "3600"]
  deploy: *deploy
services:
  priv:
    <<: *app
    privileged: true
  hostnet:
    <<: *app
    network_mode: host
  hostpid:
    <<: *app
    pid: host
  hostipc:
    <<: *app
    ipc: host
  bind:
    <<: *app
    volumes: ["/etc:/host-etc:ro"]
  caps:
    <<: *app
    cap_add: [SYS_ADMIN]
  dev:
    <<: *app
    devices: ["/dev/fuse:/dev/fuse"]
  port:
    <<: *app
    ports: ["\${PUBLIC_PORT}:80"]
  place:
    <<: *app
    deploy:
      <<: *deploy
      placement:
        constraints: [node.role==manager, node.hostname==elsewhere]
  registry:
    <<: *app
    image: registry.example.com/other/app:1
  greedy:
    <<: *app
    deploy:
      <<: *deploy
      resources:
        limits: { memory: 1G }
`;

describe("tenant policy on a real Swarm", () => {
  let work: string;
  let repoA: TestRepo;
  let bareA: string;
  let bareB: string;
  let first: { exitCode: number; output: string; report: JsonReport };
  const reportFile = () => path.join(work, "report.json");
  const servicesOf = (stack: string) => listServices(`com.docker.stack.namespace=${stack}`);

  async function reconcile() {
    const configFile = await writeConfig(
      work,
      [
        { name: "team-a", url: bareA },
        { name: "team-b", url: bareB },
      ],
      [
        {
          name: targetA,
          source: "team-a",
          path: "stacks",
          prune: true,
          policy: { stackPrefix: teamA, ...commonRules },
        },
        {
          name: targetB,
          source: "team-b",
          path: "stacks",
          prune: true,
          policy: { stackPrefix: teamB, ...commonRules },
        },
      ],
    );
    const result = await runCroncd(["reconcile", "--config", configFile, "--report", reportFile()], {
      cwd: work,
    });
    return { ...result, report: await readReport(reportFile()) };
  }

  const entryOf = (report: JsonReport, name: string, target: string) =>
    report.entries.find((entry) => entry.name === name && entry.target === target);

  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), "croncd-tenants-"));
    bareA = await createBareRepo(work, "team-a.git");
    bareB = await createBareRepo(work, "team-b.git");
    repoA = await TestRepo.create(path.join(work, "team-a"), {
      [`stacks/${teamA}web/compose.yaml`]: compliant,
      [`stacks/${teamA}old/compose.yaml`]: compliant,
    });
    await repoA.push(bareA);
    // Team B names one folder like team A's stack, and one without any prefix.
    const repoB = await TestRepo.create(path.join(work, "team-b"), {
      [`stacks/${teamB}web/compose.yaml`]: compliant,
      [`stacks/${teamA}web/compose.yaml`]: compliant.replace("3600", "7200"),
      ["stacks/web/compose.yaml"]: compliant,
    });
    await repoB.push(bareB);
    first = await reconcile();
  });

  afterAll(async () => {
    await removeAllStacks(platform);
    await rm(work, { recursive: true, force: true });
  });

  it("deploys each tenant's compliant stacks", async () => {
    expect(actionsByStack(first.report)).toMatchObject({
      [`${teamA}old`]: "created",
      [`${teamB}web`]: "created",
    });
    expect(entryOf(first.report, `${teamA}web`, targetA)?.action).toBe("created");
    expect(await servicesOf(`${teamB}web`)).toHaveLength(1);
  });

  it("refuses a stack whose folder lacks the tenant's prefix, naming the rule", () => {
    expect(first.exitCode).toBe(1);
    const refused = entryOf(first.report, "web", targetB);
    expect(refused?.action).toBe("failed");
    expect(refused?.reason).toContain(`policy.stackPrefix: stack "web" must be named ${teamB}…`);
    expect(refused?.location?.file).toBe("stacks/web/compose.yaml");
  });

  it("never lets one tenant take over another's stack of the same folder name", async () => {
    const taken = entryOf(first.report, `${teamA}web`, targetB);
    expect(taken?.action).toBe("failed");
    expect(taken?.reason).toContain("policy.stackPrefix");
    const [service] = await servicesOf(`${teamA}web`);
    expect(service?.Spec.Labels?.["io.croncd.target"]).toBe(targetA);
    expect(
      service?.Spec.TaskTemplate.ContainerSpec.Args ?? service?.Spec.TaskTemplate.ContainerSpec.Command,
    ).toContain("3600");
  });

  describe("a stack with every forbidden option", () => {
    let run: Awaited<ReturnType<typeof reconcile>>;
    const bad = `${teamA}bad`;

    beforeAll(async () => {
      await repoA.write(`stacks/${bad}/compose.yaml`, forbidden);
      await repoA.write(`stacks/${bad}/.env`, "PUBLIC_PORT=9999\n");
      // Left git in the same commit: with a refused stack the desired state is incomplete.
      await repoA.remove(`stacks/${teamA}old`);
      await repoA.commit("a stack that breaks the policy; old stack removed");
      await repoA.push(bareA);
      run = await reconcile();
    });

    it("is refused with every violation listed, each with its line and rule", () => {
      expect(run.exitCode).toBe(1);
      const entry = entryOf(run.report, bad, targetA);
      expect(entry?.action).toBe("failed");
      const file = `stacks/${bad}/compose.yaml`;
      expect(entry?.reason).toContain("breaks the target's policy (11 problems)");
      const lines = forbidden.split("\n");
      const lineOf = (text: string) => lines.findIndex((line) => line.includes(text)) + 1;
      for (const [text, rule] of [
        ["privileged: true", "policy.privileged"],
        ["network_mode: host", "policy.hostNetwork"],
        ["pid: host", "policy.hostPid"],
        ["ipc: host", "policy.hostIpc"],
        ["/etc:/host-etc", "policy.bindMounts"],
        ["SYS_ADMIN", "policy.capAdd"],
        ["devices:", "policy.devices"],
        ["PUBLIC_PORT", "policy.publishedPorts: publishes port 9999 (allowed: 28600-28699)"],
        ["node.hostname==elsewhere", 'policy.placement: the constraint "node.hostname==elsewhere"'],
        [
          "registry.example.com",
          "policy.images: registry.example.com/other/app is not from an allowed registry",
        ],
        ["memory: 1G", "policy.resources: memory 1G is above the cap of 128M"],
      ] as const) {
        expect(entry?.reason).toMatch(
          new RegExp(`${file}:${lineOf(text)}: [^\\n]*${rule.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`),
        );
      }
      expect(entry?.location).toEqual({ file, line: lineOf("privileged: true") });
    });

    it("deploys nothing of it and prunes nothing of that target", async () => {
      expect(await servicesOf(bad)).toEqual([]);
      expect(entryOf(run.report, `${teamA}old`, targetA)?.action).toBe("failed");
      const kept = entryOf(run.report, `${teamA}old`, targetA)?.reason ?? "";
      expect(kept).toMatch(/^left git, but not pruned: the desired state is incomplete/);
      expect(kept).toContain(`stack ${bad}`);
      expect(await servicesOf(`${teamA}old`)).toHaveLength(1);
    });

    it("leaves the other tenant's target as it was", () => {
      expect(entryOf(run.report, `${teamB}web`, targetB)?.action).toBe("unchanged");
    });
  });
});
