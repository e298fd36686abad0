// Private registries and moving tags, on the real test Swarm with a real registry (Debian's
// docker-registry) behind TLS from a test CA and htpasswd auth. The job logs in with `docker login
// --password-stdin` into its own DOCKER_CONFIG, as the CI templates do; croncd deploys with
// `--with-registry-auth` and, for a stack that follows tags, asks the registry itself which digest
// the tag names now. The registry's access log counts croncd's requests (its user agent).
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  actionsByStack,
  readReport,
  runCroncd,
  writeConfig,
  type CroncdResult,
  type JsonReport,
} from "../helpers/croncd.js";
import {
  docker,
  dockerHost,
  listServices,
  removeAllStacks,
  TEST_IMAGE,
  TEST_IMAGE_V2,
  uniqueStackName,
  waitFor,
} from "../helpers/docker.js";
import { createBareRepo, TestRepo } from "../helpers/git-repo.js";
import { DOCKER_CERTS_DIR } from "../helpers/registry/daemon-trust.js";
import { startPrivateRegistry, type PrivateRegistry } from "../helpers/registry/private-registry.js";

const prefix = uniqueStackName("reg");
const following = `${prefix}-follow`;
const fixed = `${prefix}-fixed`;
const fresh = `${prefix}-fresh`;
const USER = "deployer";
const PASSWORD = `pw-${Math.random().toString(36).slice(2)}-secret`;
const WRONG_PASSWORD = "not-the-password-1234";

/** A stack's entry, with the drift flag the JSON report sets only when true. */
function entryOf(
  report: JsonReport,
  name: string,
): (JsonReport["entries"][number] & { drift?: boolean }) | undefined {
  return report.entries.find((candidate) => candidate.name === name);
}

const followingCompose = (image: string) => `x-croncd:
  followTags: true
  stableFor: 1
services:
  web:
    image: ${image}
    command: ["sleep", "3600"]
  worker:
    image: ${image}
    command: ["sleep", "3600"]
`;

const fixedCompose = (image: string) => `x-croncd:
  stableFor: 1
services:
  app:
    image: ${image}
    command: ["sleep", "3600"]
`;

describe("private registry and moving tags on a real Swarm", () => {
  let registry: PrivateRegistry;
  let work: string;
  let configFile: string;
  let repo: TestRepo;
  let bare: string;
  let jobDockerConfig: string;
  const digests: { v1?: string; v2?: string } = {};
  const reportFile = () => path.join(work, "report.json");
  const appImage = () => `${registry.address}/app:latest`;
  const otherImage = () => `${registry.address}/other:latest`;

  const asJob = (dockerConfig: string) => ({
    DOCKER_HOST: dockerHost(),
    DOCKER_CONFIG: dockerConfig,
  });
  const reconcile = (dockerConfig = jobDockerConfig) =>
    runCroncd(["reconcile", "--config", configFile, "--report", reportFile()], {
      cwd: work,
      // The CI image trusts the registry's CA the way Node does: NODE_EXTRA_CA_CERTS.
      env: { ...asJob(dockerConfig), NODE_EXTRA_CA_CERTS: registry.caFile },
    });
  /** Pushes a local image under `reference` with the job's login; resolves to the manifest digest. */
  const push = async (local: string, reference: string): Promise<string> => {
    const env = asJob(jobDockerConfig);
    await docker(["tag", local, reference], { env });
    const output = await docker(["push", reference], { env });
    const digest = /digest: (sha256:[0-9a-f]{64})/.exec(output)?.[1];
    if (!digest) throw new Error(`no digest in docker push output: ${output}`);
    // The node is the daemon that pushed: without the tag it must pull from the registry to run it.
    await docker(["image", "rm", reference], { env });
    return digest;
  };
  /** croncd's own requests since `from` (the nodes' pulls carry docker's user agent). */
  const croncdRequests = async (from: number) =>
    (await registry.requests()).lines.slice(from).filter((line) => line.userAgent.startsWith("croncd/"));
  const requestCount = async () => (await registry.requests()).lines.length;
  const serviceImage = async (service: string) => {
    const [found] = (await listServices(`com.docker.stack.namespace=${service.split("_")[0]}`)).filter(
      (candidate) => candidate.Spec.Name === service,
    );
    return found;
  };
  const expectNoCredentials = async (result: CroncdResult) => {
    const report = await readFile(reportFile(), "utf8");
    for (const secret of [PASSWORD, WRONG_PASSWORD, Buffer.from(`${USER}:${PASSWORD}`).toString("base64")]) {
      expect(result.output).not.toContain(secret);
      expect(report).not.toContain(secret);
    }
  };

  beforeAll(async () => {
    registry = await startPrivateRegistry({ user: USER, password: PASSWORD });
    work = await mkdtemp(path.join(tmpdir(), "croncd-registry-test-"));
    jobDockerConfig = path.join(work, "job-docker-config");
    // What the CI job does before croncd runs: the password from a CI variable, on stdin.
    await docker(["login", "--username", USER, "--password-stdin", registry.address], {
      input: PASSWORD,
      env: asJob(jobDockerConfig),
    });
    digests.v1 = await push(TEST_IMAGE, appImage());
    await push(TEST_IMAGE, otherImage());

    bare = await createBareRepo(work, "stacks.git");
    repo = await TestRepo.create(path.join(work, "checkout"), {
      [`stacks/${following}/compose.yaml`]: followingCompose(appImage()),
      [`stacks/${fixed}/compose.yaml`]: fixedCompose(otherImage()),
    });
    await repo.push(bare);
    configFile = await writeConfig(
      work,
      [{ name: "platform", url: bare, ref: "main" }],
      [{ name: prefix, source: "platform", path: "stacks" }],
    );
  });

  afterAll(async () => {
    await removeAllStacks(prefix);
    await registry?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it("deploys images from the authenticated TLS registry with the job's login (--with-registry-auth)", async () => {
    const from = await requestCount();
    const result = await reconcile();
    expect(result.exitCode, result.output).toBe(0);
    expect(actionsByStack(await readReport(reportFile()))).toEqual({
      [following]: "created",
      [fixed]: "created",
    });
    // A stack that follows tags is deployed with --resolve-image always: the digest is on record.
    expect((await serviceImage(`${following}_web`))?.Spec.TaskTemplate.ContainerSpec.Image).toBe(
      `${appImage()}@${digests.v1}`,
    );
    for (const service of [`${following}_web`, `${fixed}_app`]) {
      await waitFor(
        async () =>
          (await docker(["service", "ps", service, "--format", "{{.CurrentState}}"])).startsWith("Running"),
        { timeoutMs: 60_000, what: `${service} to run from the private registry` },
      );
    }
    // New stacks are deployed anyway: croncd has nothing to compare and asks the registry nothing.
    expect(await croncdRequests(from)).toEqual([]);
    await expectNoCredentials(result);
  });

  it("redeploys exactly the stack whose followed tag moved, naming both digests, with one HEAD per image", async () => {
    digests.v2 = await push(TEST_IMAGE_V2, appImage());
    await push(TEST_IMAGE_V2, otherImage());
    const fixedBefore = await serviceImage(`${fixed}_app`);
    const from = await requestCount();

    const result = await reconcile();
    expect(result.exitCode, result.output).toBe(0);
    const report = await readReport(reportFile());
    expect(actionsByStack(report)).toEqual({ [following]: "configured", [fixed]: "unchanged" });
    const entry = entryOf(report, following);
    expect(entry?.reason).toContain(`image updated: ${appImage()} ${digests.v1} → ${digests.v2}`);
    expect(entry?.drift).toBeUndefined();
    expect(result.output).toContain(`${digests.v1} → ${digests.v2}`);
    for (const service of ["web", "worker"]) {
      expect((await serviceImage(`${following}_${service}`))?.Spec.TaskTemplate.ContainerSpec.Image).toBe(
        `${appImage()}@${digests.v2}`,
      );
    }
    // Two services, one image: one manifest HEAD. The stack that does not follow tags: no request.
    const asked = await croncdRequests(from);
    expect(asked.filter((line) => line.path.includes("/manifests/"))).toEqual([
      expect.objectContaining({ method: "HEAD", path: "/v2/app/manifests/latest" }),
    ]);
    expect(asked.filter((line) => line.path.includes("/other/"))).toEqual([]);
    expect((await serviceImage(`${fixed}_app`))?.Version.Index).toBe(fixedBefore?.Version.Index);
    await expectNoCredentials(result);

    // The tag has not moved since: no second redeploy, and again one HEAD.
    const again = await requestCount();
    const second = await reconcile();
    expect(second.exitCode, second.output).toBe(0);
    expect(actionsByStack(await readReport(reportFile()))).toEqual({
      [following]: "unchanged",
      [fixed]: "unchanged",
    });
    expect((await croncdRequests(again)).filter((line) => line.method === "HEAD")).toHaveLength(1);
  });

  it("a wrong password: docker login fails with the registry's error; croncd names it, changes nothing running, and explains the failed pull", async () => {
    const badConfig = path.join(work, "bad-docker-config");
    const login = await execa("docker", ["login", "--username", USER, "--password-stdin", registry.address], {
      input: WRONG_PASSWORD,
      env: asJob(badConfig),
      reject: false,
    });
    expect(login.exitCode).not.toBe(0);
    expect(login.stderr).toMatch(/unauthorized/i);
    expect(login.stderr).not.toContain(WRONG_PASSWORD);

    // A login that went stale (the password was rotated): the config holds credentials that no longer work.
    await mkdir(badConfig, { recursive: true });
    await writeFile(
      path.join(badConfig, "config.json"),
      JSON.stringify({
        auths: { [registry.address]: { auth: Buffer.from(`${USER}:${WRONG_PASSWORD}`).toString("base64") } },
      }),
    );
    const before = await serviceImage(`${following}_web`);
    const result = await reconcile(badConfig);
    expect(result.exitCode, result.output).toBe(1);
    const report = await readReport(reportFile());
    expect(actionsByStack(report)).toEqual({ [following]: "failed", [fixed]: "unchanged" });
    const entry = entryOf(report, following);
    expect(entry?.reason).toMatch(
      /image check failed, not redeployed: .*answered 401: UNAUTHORIZED: authentication required/,
    );
    expect(entry?.reason).toContain(`docker login ${registry.address}`);
    expect((await serviceImage(`${following}_web`))?.Version.Index).toBe(before?.Version.Index);
    await expectNoCredentials(result);

    // A new stack deployed without a valid login: the nodes cannot pull, and the failure says why.
    await repo.write(`stacks/${fresh}/compose.yaml`, fixedCompose(otherImage()));
    await repo.commit("a new stack from the private registry");
    await repo.push(bare);
    const created = await reconcile(badConfig);
    expect(created.exitCode, created.output).toBe(1);
    const freshEntry = entryOf(await readReport(reportFile()), fresh);
    expect(freshEntry?.action).toBe("failed");
    expect(freshEntry?.reason).toContain(`No such image: ${otherImage()}`);
    expect(freshEntry?.reason).toMatch(
      /the registry says: .*answered 401: UNAUTHORIZED: authentication required/,
    );
    await expectNoCredentials(created);
  });

  it("certificates are checked: without the CA, docker login and croncd's tag check both refuse the registry", async () => {
    const trusted = path.join(DOCKER_CERTS_DIR, registry.address, "ca.crt");
    const aside = `${trusted}.aside`;
    await rename(trusted, aside);
    try {
      const login = await execa(
        "docker",
        ["login", "--username", USER, "--password-stdin", registry.address],
        {
          input: PASSWORD,
          env: asJob(path.join(work, "untrusting-docker-config")),
          reject: false,
        },
      );
      expect(login.exitCode).not.toBe(0);
      expect(login.stderr).toMatch(/x509: certificate signed by unknown authority/);
    } finally {
      await rename(aside, trusted);
    }
    const result = await runCroncd(["reconcile", "--config", configFile, "--report", reportFile()], {
      cwd: work,
      env: asJob(jobDockerConfig),
    });
    expect(result.exitCode, result.output).toBe(1);
    expect(entryOf(await readReport(reportFile()), following)?.reason).toMatch(
      /image check failed, not redeployed: .*could not connect \(UNABLE_TO_VERIFY_LEAF_SIGNATURE\) \(the registry's TLS certificate is not trusted: give croncd its CA with NODE_EXTRA_CA_CERTS/,
    );
  });

  it("a registry that is down: the following stack fails unchecked, not redeployed and not drift", async () => {
    const before = await listServices(`io.croncd.target=${prefix}`);
    await registry.stop();
    const result = await reconcile();
    expect(result.exitCode, result.output).toBe(1);
    const report = await readReport(reportFile());
    expect(actionsByStack(report)).toMatchObject({ [following]: "failed", [fixed]: "unchanged" });
    const entry = entryOf(report, following);
    expect(entry?.reason).toMatch(/image check failed, not redeployed: .*could not connect \(ECONNREFUSED\)/);
    expect(entry?.drift).toBeUndefined();
    const after = await listServices(`io.croncd.target=${prefix}`);
    expect(after.map((service) => [service.Spec.Name, service.Version.Index]).sort()).toEqual(
      before.map((service) => [service.Spec.Name, service.Version.Index]).sort(),
    );
  });
});
