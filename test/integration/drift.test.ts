// Drift detection against a real Swarm: a rich stack rendered by croncd's own renderer and
// deployed with `docker stack deploy` compares equal to git right after the deploy (no false
// drift); each change made by hand — `docker service update`, `scale`, `rm`, a service created in
// the stack's namespace — shows up as exactly the expected field changes; and deploying git again
// heals it, so no difference is one a deploy cannot fix.
//
// CRONCD_RECORD_DRIFT_FIXTURES=1 rewrites test/unit/swarm/fixtures/*.json from this run (the
// desired document and the live `docker service inspect` specs the unit tests replay).
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { format, resolveConfig } from "prettier";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDockerCli } from "../../src/ports/docker.js";
import { discoverStacks } from "../../src/targets/swarm/discover.js";
import { diffStack, formatChanges, type FieldChange } from "../../src/targets/swarm/drift.js";
import { readLiveStacks } from "../../src/targets/swarm/live.js";
import type { DesiredStack, LiveStack } from "../../src/targets/swarm/model.js";
import { renderStack } from "../../src/targets/swarm/render.js";
import { StackSecrets } from "../../src/targets/swarm/stack-secrets.js";
import {
  docker,
  dockerHost,
  removeAllStacks,
  TEST_IMAGE,
  TEST_IMAGE_V2,
  uniqueStackName,
} from "../helpers/docker.js";

const FIXTURES = fileURLToPath(new URL("../unit/swarm/fixtures/", import.meta.url));
const stack = uniqueStackName("drift");
const service = (name: string) => `${stack}_${name}`;

// Everything the drift rules normalise: env (map, env_file, empty value, number, `$`), service
// and container labels, ports (short, unpublished, long with defaults, long udp in host mode with
// the port left to Swarm), a string command split into words, an entrypoint, configs and secrets
// (short and long syntax, named by content), replicas, resources, a constraint, a global service,
// a job, and a service that says nothing about replicas.
const compose = `services:
  app:
    image: ${TEST_IMAGE}
    entrypoint: ["/bin/busybox"]
    command: sleep "3600"   # a string: split like a shell would
    environment:
      DB_URL: postgres://db/app
      EMPTY: ""
      NUMBER: 5
      PRICE: $$5
    env_file: app.env
    labels:
      team: platform
    deploy:
      replicas: 2
      labels:
        tier: backend
      resources:
        limits: {cpus: "0.25", memory: 64M, pids: 100}
        reservations: {memory: 16M, cpus: "0.01"}
      placement:
        constraints: [node.role == manager]
    ports:
      - "28080:80"
      - "9000"
      - target: 81
        published: 28081
      - target: 53
        protocol: udp
        mode: host
    configs:
      - app_conf
      - source: app_conf
        target: /etc/app.conf
    secrets:
      - db_password
      - source: db_password
        target: other_name
  worker:
    image: ${TEST_IMAGE}
    command: ["sleep", "3600"]
    labels: [role=worker]
  agent:
    image: ${TEST_IMAGE}
    command: ["sleep", "3600"]
    deploy:
      mode: global
  job:
    image: ${TEST_IMAGE}
    command: ["true"]
    deploy:
      mode: replicated-job
      replicas: 2
configs:
  app_conf:
    file: ./app.conf
secrets:
  db_password:
    file: ./db_password.txt
`;

// The same things spelt differently — each as docker/cli's loader and convert take it, and as the
// daemon stores it. No replicas (0), so nothing has to run; the two jobs complete at once.
const variantsCompose = (external: string) => `services:
  forms:
    image: docker.io/${TEST_IMAGE}
    entrypoint: /bin/busybox
    command: 'sh -c ''exec sleep "36"00'' a\\ b "c\\"d" e#f # trailing comment'
    environment: [A=1, B=, C=x=y, "D=$$HOME"]
    labels: [flag, "n=1", "yes=true"]
    ports:
      - "28100-28101:100-101"
      - "28110-28111:110"
      - "127.0.0.1:28120:120"
      - "130/udp"
      - 140
      - target: 150
        published: 28150
        protocol: tcp
        mode: ingress
    secrets:
      - outside
      - source: plain
        target: /etc/plain.txt
        uid: "1000"
        gid: "1000"
        mode: 0400
    configs:
      - source: cfg
        target: conf/app.conf
      - cfg
    deploy:
      replicas: 0
      labels: ["n=1", "empty="]
      resources:
        limits: {cpus: "0.5", memory: 1.5g}
        reservations: {memory: 8388608b}
      placement:
        constraints: [node.role == manager, node.platform.os == linux]
  index:
    image: index.docker.io/${TEST_IMAGE}
    command: sleep 3600
    deploy: {replicas: 0}
  untagged:
    image: croncd-test/busybox
    deploy: {replicas: 0}
  pinned:
    image: croncd-test/busybox@sha256:${"0".repeat(64)}
    deploy: {replicas: 0}
  onejob:
    image: ${TEST_IMAGE}
    command: ["true"]
    deploy: {mode: replicated-job}
  everywhere:
    image: ${TEST_IMAGE}
    command: ["true"]
    deploy: {mode: global-job}
configs:
  cfg: {file: ./cfg.txt}
secrets:
  outside: {external: true, name: ${external}}
  plain: {file: ./plain.txt}
`;

describe("drift on a real Swarm", () => {
  let work: string;
  let desired: DesiredStack;
  const cli = () => createDockerCli({ host: dockerHost() });

  // --resolve-image never: no registry is asked (none is reachable, and none may be).
  const deployStack = (stackToDeploy: DesiredStack) =>
    docker(
      ["stack", "deploy", "--prune", "--resolve-image", "never", "--compose-file", "-", stackToDeploy.name],
      {
        input: stackToDeploy.yaml,
        cwd: stackToDeploy.dir,
      },
    );
  const deploy = () => deployStack(desired);
  const liveStack = async (name: string): Promise<LiveStack> =>
    (await readLiveStacks(cli(), "drift test")).get(name) ?? { name, services: [] };
  const live = () => liveStack(stack);
  const drift = async () => diffStack(desired, await live());
  /** Deploys git again and checks the stack matches it afterwards. */
  const heal = async () => {
    await deploy();
    expect(await drift()).toEqual([]);
  };
  const change = (name: string, field: string, wanted: string, actual: string): FieldChange => ({
    service: service(name),
    field,
    desired: wanted,
    live: actual,
  });

  /** Writes a stack folder and renders it with croncd's own renderer, as `croncd` would. */
  async function render(name: string, files: Record<string, string>): Promise<DesiredStack> {
    const root = path.join(work, name);
    await mkdir(path.join(root, name), { recursive: true });
    for (const [file, content] of Object.entries(files))
      await writeFile(path.join(root, name, file), content);
    const [found] = (await discoverStacks(root, "stacks")).stacks;
    if (!found) throw new Error(`the stack folder ${name} was not discovered`);
    return renderStack(found, {
      repoRoot: root,
      targetName: "drift",
      sourceUrl: "https://git.example.com/platform/stacks.git",
      commit: "0123456789abcdef0123456789abcdef01234567",
      allowedEnv: {},
      secrets: new StackSecrets({ env: {}, onSecrets: () => {} }),
    });
  }

  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), "croncd-drift-"));
    desired = await render(stack, {
      "compose.yaml": compose,
      "app.env": "FROM_FILE=yes\nNUMBER=4\n",
      "app.conf": "x=1\n",
      "db_password.txt": "s3cret\n",
    });
    await deploy();
  });

  afterAll(async () => {
    await removeAllStacks(stack);
    await docker(["secret", "rm", `${stack}-outside`]).catch(() => undefined);
    await rm(work, { recursive: true, force: true });
  });

  it("shows no change right after the deploy", async () => {
    const current = await live();
    expect(current.services.map((s) => s.name).sort()).toEqual(
      ["agent", "app", "job", "worker"].map(service),
    );
    if (process.env.CRONCD_RECORD_DRIFT_FIXTURES) await record("deployed", desired, current);
    expect(diffStack(desired, current)).toEqual([]);
  });

  it("shows no change for other spellings of the same things", async () => {
    const external = `${stack}-outside`;
    await docker(["secret", "create", external, "-"], { input: "from outside\n" });
    const variants = await render(`${stack}-v`, {
      "compose.yaml": variantsCompose(external),
      "cfg.txt": "y=2\n",
      "plain.txt": "plain\n",
    });
    await deployStack(variants);
    const current = await liveStack(variants.name);
    expect(current.services).toHaveLength(6);
    if (process.env.CRONCD_RECORD_DRIFT_FIXTURES) await record("variants", variants, current);
    expect(diffStack(variants, current)).toEqual([]);
  });

  it("sees docker service update --image", async () => {
    await docker([
      "service",
      "update",
      "--detach",
      "--no-resolve-image",
      "--image",
      TEST_IMAGE_V2,
      service("app"),
    ]);
    const changes = await drift();
    expect(changes).toEqual([change("app", "image", TEST_IMAGE, TEST_IMAGE_V2)]);
    expect(formatChanges(changes)).toEqual([
      `${service("app")}: image: git has ${TEST_IMAGE}, live has ${TEST_IMAGE_V2}`,
    ]);
    // docker/cli keeps the live image when git's equals the service's com.docker.stack.image label,
    // which `service update --image` leaves alone: `docker stack deploy --resolve-image never` (or
    // `changed`) does not put git's image back; only `always` (croncd's default) does. That one
    // asks a registry, which these tests must not, so the image is put back by hand here.
    await deploy();
    expect(await drift()).toEqual(changes);
    await docker([
      "service",
      "update",
      "--detach",
      "--no-resolve-image",
      "--image",
      TEST_IMAGE,
      service("app"),
    ]);
    expect(await drift()).toEqual([]);
  });

  it("sees --env-add and --env-rm", async () => {
    await docker([
      "service",
      "update",
      "--detach",
      "--env-add",
      "DB_URL=postgres://elsewhere/app",
      "--env-add",
      "DEBUG=1",
      "--env-rm",
      "FROM_FILE",
      service("app"),
    ]);
    expect(await drift()).toEqual([
      change("app", "env.DB_URL", "postgres://db/app", "postgres://elsewhere/app"),
      change("app", "env.DEBUG", "(none)", "1"),
      change("app", "env.FROM_FILE", "yes", "(none)"),
    ]);
    await heal();
  });

  it("sees service labels, croncd's own ones included, but not the commit label", async () => {
    await docker([
      "service",
      "update",
      "--detach",
      "--label-add",
      "tier=frontend",
      "--label-add",
      "io.croncd.target=someone-else",
      "--label-add",
      "io.croncd.commit=fedcba",
      service("worker"),
    ]);
    expect(await drift()).toEqual([
      change("worker", "labels.io.croncd.target", "drift", "someone-else"),
      change("worker", "labels.tier", "(none)", "frontend"),
    ]);
    await heal();
  });

  it("sees --container-label-add", async () => {
    await docker(["service", "update", "--detach", "--container-label-add", "team=ops", service("app")]);
    expect(await drift()).toEqual([change("app", "container_labels.team", "platform", "ops")]);
    await heal();
  });

  it("sees --publish-add", async () => {
    await docker(["service", "update", "--detach", "--publish-add", "28099:99", service("app")]);
    const before = "53/udp (host), 28080:80/tcp, 28081:81/tcp, 9000/tcp";
    expect(await drift()).toEqual([
      change("app", "ports", before, "53/udp (host), 28080:80/tcp, 28081:81/tcp, 28099:99/tcp, 9000/tcp"),
    ]);
    await heal();
  });

  it("sees docker service scale, also where git says nothing about replicas", async () => {
    await docker(["service", "scale", "--detach", `${service("app")}=3`, `${service("worker")}=2`]);
    expect(await drift()).toEqual([
      change("app", "replicas", "2", "3"),
      change("worker", "replicas", "1", "2"),
    ]);
    await heal();
  });

  it("sees command, limit, constraint and secret changes", async () => {
    const secret = desired.document.secrets as Record<string, { name: string }>;
    const secretName = secret.db_password?.name ?? "";
    await docker([
      "service",
      "update",
      "--detach",
      "--args",
      "sleep 7200",
      "--limit-memory",
      "128M",
      "--constraint-add",
      "node.role != worker",
      "--secret-rm",
      secretName,
      service("app"),
    ]);
    expect(await drift()).toEqual([
      change("app", "command", "sleep 3600", "sleep 7200"),
      change(
        "app",
        "secrets",
        `${secretName} at /run/secrets/db_password, ${secretName} at /run/secrets/other_name`,
        "(none)",
      ),
      change("app", "resources.limits.memory", "64MiB", "128MiB"),
      change(
        "app",
        "placement.constraints",
        "node.role == manager",
        "node.role != worker, node.role == manager",
      ),
    ]);
    await heal();
  });

  it("sees a service removed by hand and one added into the stack's namespace", async () => {
    await docker(["service", "rm", service("agent")]);
    await docker([
      "service",
      "create",
      "--detach",
      "--no-resolve-image",
      "--name",
      service("debug"),
      "--label",
      `com.docker.stack.namespace=${stack}`,
      TEST_IMAGE,
      "sleep",
      "3600",
    ]);
    const current = await live();
    if (process.env.CRONCD_RECORD_DRIFT_FIXTURES) await record("changed-by-hand", desired, current);
    const changes = diffStack(desired, current);
    expect(changes).toEqual([
      change("agent", "service", "present", "(none)"),
      change("debug", "service", "(none)", "present"),
    ]);
    expect(formatChanges(changes)).toEqual([
      `${service("agent")}: service missing: git declares it, nothing runs`,
      `${service("debug")}: service not in git: runs in the stack's namespace`,
    ]);
    await heal();
  });

  /** Writes what the unit tests replay, with this run's random stack name made stable. */
  async function record(name: string, stackToRecord: DesiredStack, current: LiveStack): Promise<void> {
    const stable = (value: unknown) =>
      JSON.parse(JSON.stringify(value).replaceAll(stack, "croncdt-drift")) as unknown;
    const versions = await docker([
      "version",
      "--format",
      "client {{.Client.Version}}, daemon {{.Server.Version}}",
    ]);
    const file = path.join(FIXTURES, `${name}.json`);
    const json = JSON.stringify({
      recordedWith: versions.trim(),
      desired: stable({ name: stackToRecord.name, document: stackToRecord.document }),
      live: stable(current),
    });
    await mkdir(FIXTURES, { recursive: true });
    // Formatted as the repository's format check wants it.
    await writeFile(file, await format(json, { ...(await resolveConfig(file)), filepath: file }));
  }
});
