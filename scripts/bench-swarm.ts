// `npm run bench`, part 2: what one croncd run costs on a Swarm of 100 stacks of 3 services, against
// what the alternatives cost on the same Swarm, in the same run:
//   (a) `croncd reconcile` with nothing changed (the built CLI, spawned as a CI job does), median of 3;
//   (b) the naive loop of playbooks and cron jobs: `docker stack deploy` of every stack, one after
//       the other, once with the registry at a distance and once with it on loopback;
//   (c) the floor: `docker service ls -q` and one `docker service inspect` of every service (what
//       any tool must at least read to know the Swarm's state), median of 3; and (c') the one
//       `GET /services` croncd reads the same with;
// and for one stack changed in git among 100: `croncd reconcile` against one `docker stack deploy`
// of that stack. Targets (issue 4): b/a ≥ 20 and a/c ≤ 3.
//
// Everything runs in a private, throw-away dockerd in Swarm mode (the machine's own Docker daemon is
// never contacted), removed at the end, also after a failure or Ctrl-C. Services have `replicas: 0`
// (see bench-swarm-fixture.ts). Bundled into dist/bench.mjs together with scripts/bench.ts.
//
// The image is pushed to a real registry on 127.0.0.1 (scripts/bench-registry.ts), and croncd and
// the naive loop both deploy with `--resolve-image always` (the default of both, and what playbooks
// run): every `docker stack deploy` asks the registry for the digest of each service's image. The
// registry's access log shows who asks: the naive loop must, croncd with nothing changed must not.
// dockerd reaches the registry through a relay that adds a round-trip time (bench-latency.ts; 20 ms
// unless CRONCD_BENCH_REGISTRY_RTT_MS says otherwise, 0 for none): real registries are not on
// loopback, and the naive loop's cost is mostly those round trips. Both sides see the same relay.
// CRONCD_BENCH_RESOLVE_IMAGE=never runs the older variant instead: no registry, the image only in
// the private daemon, `--resolve-image never` on both sides (a naive loop cheaper than real ones).
import { access, chmod, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { constants, cpus, loadavg, tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import type { ResultPromise } from "execa";
import { parse, stringify } from "yaml";
import { startLatencyRelay } from "./bench-latency.js";
import type { LatencyRelay } from "./bench-latency.js";
import { startLocalRegistry } from "./bench-registry.js";
import type { LocalRegistry, RegistryRequests } from "./bench-registry.js";
import { createDockerCli } from "../src/ports/docker.js";
import { nonEmptyLines as lines } from "../src/util/text-lines.js";
import { startPrivateSwarm } from "../test/helpers/swarm/index.js";
import type { PrivateSwarm } from "../test/helpers/swarm/index.js";
import { findExecutable } from "../test/helpers/swarm/system.js";
import {
  BENCH_TARGET,
  REVISION_SERVICE,
  REVISION_VARIABLE,
  SERVICES_PER_STACK,
  createBenchRepo,
  stackName,
} from "./bench-swarm-fixture.js";
import type { BenchRepo } from "./bench-swarm-fixture.js";

// Both the source (scripts/) and the bundle (dist/) sit one level below the repository root.
const REPO_ROOT = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
/** Built in the private daemon; with a registry, pushed to it as `127.0.0.1:PORT/${IMAGE}`. */
const IMAGE = "croncd-bench/busybox:1";
const RESOLVE_IMAGE_VARIABLE = "CRONCD_BENCH_RESOLVE_IMAGE";
const ROUND_TRIP_VARIABLE = "CRONCD_BENCH_REGISTRY_RTT_MS";
/**
 * The registry's distance for the measurements, unless CRONCD_BENCH_REGISTRY_RTT_MS says otherwise:
 * a registry in the same region. Docker Hub's API, GHCR and GitLab.com are 20 to 100 ms away from
 * most sites, so this favours the naive loop.
 */
const DEFAULT_ROUND_TRIP_MS = 20;
type ResolveImage = "always" | "never";
const REPEATS = 3;
const TARGET_NAIVE_OVER_CRONCD = 20;
const TARGET_CRONCD_OVER_FLOOR = 3;
/** The first reconcile creates every stack and waits for each rollout. */
const INITIAL_TIMEOUT_MS = 5 * 60_000;
const CALL_TIMEOUT_MS = 2 * 60_000;

export const DEFAULT_STACKS = 100;

export interface SwarmBenchOptions {
  stacks?: number;
  /**
   * `always` (default): a local registry, `--resolve-image always` on both sides. `never`: no
   * registry, `--resolve-image never`. Default from the environment variable CRONCD_BENCH_RESOLVE_IMAGE.
   */
  resolveImage?: ResolveImage;
  /** Round-trip time put between dockerd and the registry (default from CRONCD_BENCH_REGISTRY_RTT_MS, else 20). */
  registryRoundTripMs?: number;
}

interface Ran {
  exitCode: number | undefined;
  signal: string | undefined;
  stdout: string;
  stderr: string;
  ms: number;
  timedOut: boolean;
}

interface RunReport {
  exitCode: number;
  sources: { name: string; durationMs: number }[];
  entries: {
    kind: string;
    name: string;
    action: string;
    reason: string;
    durationMs?: number;
    details?: string[];
  }[];
}

interface Timings {
  initial: number;
  unchanged: number[];
  /** (b) with the registry at the chosen distance (or absent). */
  naive: number;
  /** (b) again with the registry on loopback, when a distance was chosen. */
  naiveLoopback?: number;
  floor: number[];
  apiFloor: number[];
  changed: number[];
  /** The changed stack's own entry in those runs: its deploy and the wait for its rollout. */
  changedStackMs: number[];
  single: number[];
  breakdown: Breakdown;
}

interface Breakdown {
  nodeStart: number;
  croncdVersion: number;
  total: number;
  calls: { tool: string; label: string; startNs: bigint; endNs: bigint; ms: number }[];
  reportedCloneMs: number | undefined;
}

const say = (line: string): void => console.log(line);
const heading = (line: string): void => console.log(`\n==> ${line}`);

/** The Swarm part of `npm run bench`; resolves to the process exit code it asks for. */
export async function swarmBench(options: SwarmBenchOptions = {}): Promise<number> {
  const count = options.stacks ?? DEFAULT_STACKS;
  const fromEnv = process.env[RESOLVE_IMAGE_VARIABLE];
  if (options.resolveImage === undefined && fromEnv && fromEnv !== "always" && fromEnv !== "never") {
    console.error(`swarm benchmark: ${RESOLVE_IMAGE_VARIABLE} must be always or never, not ${fromEnv}`);
    return 2;
  }
  const resolveImage = options.resolveImage ?? (fromEnv === "never" ? "never" : "always");
  const roundTripText = process.env[ROUND_TRIP_VARIABLE];
  const roundTripMs = options.registryRoundTripMs ?? Number(roundTripText || DEFAULT_ROUND_TRIP_MS);
  if (!Number.isFinite(roundTripMs) || roundTripMs < 0 || roundTripMs > 1000) {
    console.error(`swarm benchmark: ${ROUND_TRIP_VARIABLE} must be a number of milliseconds from 0 to 1000`);
    return 2;
  }
  const bench = new SwarmBench(count, resolveImage, resolveImage === "always" ? roundTripMs : 0);
  const onSignal = (signal: NodeJS.Signals) => bench.onSignal(signal);
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, onSignal);
  try {
    return await bench.run();
  } catch (error) {
    const message = bench.interrupted
      ? `interrupted (${bench.interrupted})`
      : error instanceof Error
        ? error.message
        : String(error);
    console.error(`\nswarm benchmark: ${message}`);
    return bench.interrupted ? 128 + constants.signals[bench.interrupted] : 1;
  } finally {
    for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.off(signal, onSignal);
  }
}

class SwarmBench {
  interrupted: NodeJS.Signals | undefined;
  private signals = 0;
  private current: ResultPromise | undefined;
  private swarm: PrivateSwarm | undefined;
  private registry: LocalRegistry | undefined;
  /** Between dockerd and the registry: what the stacks' image references point at. */
  private relay: LatencyRelay | undefined;
  /** What the stacks run: IMAGE, or its copy in the registry. */
  private image = IMAGE;
  /** Checks that failed: measured on, printed, and the process exits 1. */
  private readonly problems: string[] = [];

  constructor(
    private readonly count: number,
    private readonly resolveImage: ResolveImage,
    private readonly roundTripMs: number,
  ) {}

  onSignal(signal: NodeJS.Signals): void {
    this.signals += 1;
    if (this.signals === 1) {
      this.interrupted = signal;
      say(`\n${signal}: stopping, then removing the private Swarm`);
      this.current?.kill("SIGTERM");
    } else if (this.signals === 2) {
      say("still removing the private Swarm; once more to abandon it (the next run cleans up)");
    } else {
      process.exit(128 + constants.signals[signal]);
    }
  }

  async run(): Promise<number> {
    const services = this.count * SERVICES_PER_STACK;
    say(
      `Swarm: ${this.count} stacks of ${SERVICES_PER_STACK} services (${services} services), one croncd target`,
    );
    say(
      "Every service has `deploy.replicas: 0`: the control plane (git, rendering, docker's API, service\n" +
        "specs, overlay networks) does the same work as with tasks, and that is what is measured; a\n" +
        `${cpus().length}-core machine running ${services} containers would measure the containers instead.`,
    );
    if (!(await exists(path.join(REPO_ROOT, "dist/croncd.mjs")))) {
      throw new Error("dist/croncd.mjs is missing: run `npm run build` (npm run bench does).");
    }
    const startedAt = performance.now();
    heading("starting a private Docker Swarm (the machine's own Docker daemon is not used)");
    this.swarm = await startPrivateSwarm({
      log: (line) => say(`[swarm] ${line}`),
      images: [IMAGE],
      // Ctrl-C reaches this process (and its docker/croncd children), not dockerd: teardown in order.
      detached: true,
    });
    say(`ready in ${seconds(startedAt)} s: DOCKER_HOST=${this.swarm.host}, image ${IMAGE} built locally`);
    const dir = await mkdtemp(path.join(tmpdir(), "croncd-bench-swarm-"));
    try {
      this.checkInterrupted();
      if (this.resolveImage === "always") await this.startRegistry(dir);
      else say(`${RESOLVE_IMAGE_VARIABLE}=never: no registry, --resolve-image never on both sides`);
      const loadBefore = loadavg()[0] ?? 0;
      const timings = await this.measure(dir);
      this.print(timings);
      // Other work on the machine slows every side, but not by the same factor: worth knowing.
      say(
        `\n  load average (1 min) on this machine: ${loadBefore.toFixed(1)} before the measurements, ` +
          `${(loadavg()[0] ?? 0).toFixed(1)} after, on ${cpus().length} cores`,
      );
    } finally {
      heading(
        this.registry ? "stopping the registry, removing the private Swarm" : "removing the private Swarm",
      );
      const stopStartedAt = performance.now();
      await this.relay?.stop();
      await this.registry?.stop();
      await this.swarm.stop();
      await rm(dir, { recursive: true, force: true });
      say(`removed in ${seconds(stopStartedAt)} s (whole Swarm benchmark: ${seconds(startedAt)} s)`);
    }
    if (this.problems.length > 0) {
      console.error(`\nswarm benchmark: ${this.problems.length} check(s) failed:`);
      for (const problem of this.problems) console.error(`  - ${problem}`);
      return 1;
    }
    return 0;
  }

  /**
   * Starts the local registry and the relay in front of it (see bench-latency.ts), checks that the
   * private daemon may talk plain HTTP to them, and pushes IMAGE through the relay (no delay yet).
   */
  private async startRegistry(dir: string): Promise<void> {
    heading("starting a local registry (docker-registry) and pushing the image to it");
    const started = performance.now();
    this.registry = await startLocalRegistry(path.join(dir, "registry"));
    this.relay = await startLatencyRelay(this.registry.address);
    const { address } = this.relay;
    const insecure = JSON.parse(
      (await this.docker(["info", "--format", "{{json .RegistryConfig.InsecureRegistryCIDRs}}"])).stdout,
    ) as string[] | null;
    if (!(insecure ?? []).includes("127.0.0.0/8")) {
      throw new Error(
        `the private dockerd does not treat 127.0.0.0/8 as an insecure registry (it has ${JSON.stringify(insecure)}): ` +
          `it cannot use the plain-HTTP registry on ${address}`,
      );
    }
    this.image = `${address}/${IMAGE}`;
    await this.docker(["tag", IMAGE, this.image]);
    await this.docker(["push", this.image]);
    const digest = (
      await this.docker(["image", "inspect", "--format", '{{join .RepoDigests " "}}', this.image])
    ).stdout.trim();
    say(
      `registry on ${this.registry.address}, reached through a relay on ${address} ` +
        `(dockerd's insecure registries: ${(insecure ?? []).join(", ")}), ` +
        `${this.image} pushed in ${seconds(started)} s: ${digest}`,
    );
  }

  /** Registry requests made while `work` ran; undefined without a registry. */
  private async countRequests<T>(
    work: () => Promise<T>,
  ): Promise<{ result: T; requests: RegistryRequests | undefined }> {
    const before = await this.registry?.requests();
    const result = await work();
    const after = await this.registry?.requests();
    const requests =
      before && after
        ? {
            total: after.total - before.total,
            manifests: after.manifests - before.manifests,
            lines: after.lines.slice(before.lines.length),
          }
        : undefined;
    return { result, requests };
  }

  private async measure(dir: string): Promise<Timings> {
    heading(`creating the config repository: stacks/${stackName(1)}..${stackName(this.count)}`);
    const repo = await createBenchRepo(dir, this.count, this.image, this.resolveImage);
    say(`${repo.bare} (croncd.yaml: ${repo.config})`);

    heading("croncd reconcile: creating every stack (not timed against anything)");
    const initial = await this.croncd(repo, "reconcile", dir, { timeoutMs: INITIAL_TIMEOUT_MS });
    must(initial.ran, "the first croncd reconcile");
    say(`${ms(initial.ran.ms)}: ${actionSummary(initial.report)}`);
    this.expectEntries("first reconcile", initial.report, repo.stacks, () => "created");
    const created = await this.serviceVersions();
    if (created.size !== this.count * SERVICES_PER_STACK) {
      throw new Error(
        `expected ${this.count * SERVICES_PER_STACK} services after the first reconcile, found ${created.size}`,
      );
    }

    if (this.relay && this.roundTripMs > 0) {
      heading(`from here on the registry is ${this.roundTripMs} ms away (round trip), unless said otherwise`);
      this.relay.setRoundTripMs(this.roundTripMs);
    }

    heading(`(a) croncd reconcile with nothing changed, ${REPEATS} times`);
    const unchanged: number[] = [];
    for (let i = 0; i < REPEATS; i++) {
      const before = await this.serviceVersions();
      const {
        result: { ran, report },
        requests,
      } = await this.countRequests(() => this.croncd(repo, "reconcile", dir));
      const after = await this.serviceVersions();
      unchanged.push(ran.ms);
      say(
        `${ms(ran.ms)}: ${actionSummary(report)}, exit ${ran.exitCode ?? ran.signal}${requestsText(requests)}`,
      );
      this.expect(
        requests === undefined || requests.total === 0,
        `(a) run ${i + 1}: nothing changed, yet croncd made ${requests?.total} registry request(s)`,
      );
      this.expect(
        ran.exitCode === 0,
        `(a) run ${i + 1}: croncd reconcile exited ${ran.exitCode ?? ran.signal}${tail(ran)}`,
      );
      this.expectEntries(`(a) run ${i + 1}`, report, repo.stacks, () => "unchanged");
      const moved = movedServices(before, after);
      this.expect(
        moved.length === 0,
        `(a) run ${i + 1}: nothing changed, yet ${moved.length} service(s) were updated (Version.Index moved): ${preview(moved)}`,
      );
    }

    heading(`(c) the floor: docker service ls -q + one docker service inspect of all, ${REPEATS} times`);
    const floor: number[] = [];
    for (let i = 0; i < REPEATS; i++) {
      const started = performance.now();
      const ids = lines((await this.docker(["service", "ls", "--quiet"])).stdout);
      const inspected = JSON.parse((await this.docker(["service", "inspect", ...ids])).stdout) as unknown[];
      floor.push(performance.now() - started);
      if (inspected.length !== created.size)
        throw new Error(`docker service inspect returned ${inspected.length} services`);
    }
    say(floor.map(ms).join(", "));
    heading(
      `(c') the same read as croncd makes it: GET /services through docker system dial-stdio, ${REPEATS} times`,
    );
    const apiFloor: number[] = [];
    const api = createDockerCli({ host: this.requireSwarm().host });
    for (let i = 0; i < REPEATS; i++) {
      const started = performance.now();
      const services = (await api.getJson("/services")) as unknown[];
      apiFloor.push(performance.now() - started);
      if (services.length !== created.size)
        throw new Error(`GET /services returned ${services.length} services`);
    }
    say(apiFloor.map(ms).join(", "));

    // croncd's own rendered files (labels included), so the loop sends exactly the specs croncd
    // deployed and leaves the Swarm as it was. The raw files in git would strip croncd's labels
    // and make every service differ; the cost of a deploy is the same either way.
    const renderedDir = path.join(dir, "rendered");
    must((await this.croncd(repo, "render", dir, { extra: ["--out", renderedDir] })).ran, "croncd render");
    const naive = await this.naiveLoop(repo, renderedDir, `registry ${this.distance()}`);
    let naiveLoopback: number | undefined;
    if (this.relay && this.roundTripMs > 0) {
      this.relay.setRoundTripMs(0);
      naiveLoopback = await this.naiveLoop(repo, renderedDir, "registry on loopback");
      this.relay.setRoundTripMs(this.roundTripMs);
    }
    // The same specs came back: croncd must still see every stack as unchanged.
    const check = await this.croncd(repo, "plan", dir);
    say(
      `croncd plan afterwards: ${actionSummary(check.report)}, exit ${check.ran.exitCode ?? check.ran.signal}`,
    );
    if (!this.expectEntries("plan after the naive loop", check.report, repo.stacks, () => "unchanged")) {
      say("restoring what git says with croncd reconcile before going on");
      must(
        (await this.croncd(repo, "reconcile", dir, { timeoutMs: INITIAL_TIMEOUT_MS })).ran,
        "croncd reconcile",
      );
    }

    const changedStack = repo.stacks[Math.floor(repo.stacks.length / 2)] as string;
    const changedServices = (versions: Map<string, number>) =>
      [...versions.keys()].filter((name) => name.startsWith(`${changedStack}_`));
    heading(
      `one changed stack: ${REVISION_VARIABLE} of ${changedStack} changed in git, croncd reconcile, ${REPEATS} times`,
    );
    const changed: number[] = [];
    const changedStackMs: number[] = [];
    for (let i = 1; i <= REPEATS; i++) {
      await repo.setRevision(changedStack, String(i));
      const before = await this.serviceVersions();
      const {
        result: { ran, report },
        requests,
      } = await this.countRequests(() => this.croncd(repo, "reconcile", dir));
      const moved = movedServices(before, await this.serviceVersions());
      changed.push(ran.ms);
      const entry = report.entries.find((candidate) => candidate.name === changedStack);
      changedStackMs.push(entry?.durationMs ?? Number.NaN);
      say(
        `${ms(ran.ms)}: ${actionSummary(report)}, exit ${ran.exitCode ?? ran.signal}; ` +
          `${changedStack} itself: ${ms(entry?.durationMs ?? Number.NaN)} (${entry?.reason ?? "no entry"})` +
          requestsText(requests),
      );
      this.expect(
        ran.exitCode === 0,
        `one changed, run ${i}: croncd reconcile exited ${ran.exitCode ?? ran.signal}${tail(ran)}`,
      );
      this.expectEntries(`one changed, run ${i}`, report, repo.stacks, (name) =>
        name === changedStack ? "configured" : "unchanged",
      );
      const expected = changedServices(before);
      this.expect(
        moved.length === expected.length && moved.every((name) => expected.includes(name)),
        `one changed, run ${i}: expected exactly ${preview(expected)} to be updated, got ${preview(moved)}`,
      );
    }

    heading(
      `one changed stack: a single docker stack deploy of ${changedStack} with ${REVISION_VARIABLE} changed, ${REPEATS} times`,
    );
    // croncd's rendering of the current commit with the variable edited: one real change to the
    // same stack, as a person would make by hand. (The stack has drifted from git afterwards.)
    must((await this.croncd(repo, "render", dir, { extra: ["--out", renderedDir] })).ran, "croncd render");
    const singleFile = path.join(renderedDir, BENCH_TARGET, changedStack, "compose.yaml");
    const document = parse(await readFile(singleFile, "utf8")) as {
      services: Record<string, { environment: Record<string, string> }>;
    };
    const single: number[] = [];
    for (let i = 1; i <= REPEATS; i++) {
      const environment = document.services[REVISION_SERVICE]?.environment;
      if (!environment) throw new Error(`${singleFile}: no environment in service ${REVISION_SERVICE}`);
      environment[REVISION_VARIABLE] = `by-hand-${i}`;
      await writeFile(singleFile, stringify(document, { lineWidth: 0 }));
      const before = await this.serviceVersions();
      const ran = await this.docker([
        "stack",
        "deploy",
        ...this.deployFlags(),
        "-c",
        singleFile,
        changedStack,
      ]);
      const moved = movedServices(before, await this.serviceVersions());
      single.push(ran.ms);
      this.expect(
        moved.includes(`${changedStack}_${REVISION_SERVICE}`),
        `single deploy ${i}: ${changedStack}_${REVISION_SERVICE} was not updated`,
      );
    }
    say(single.map(ms).join(", "));

    heading(
      "where croncd's time goes: node start, then one reconcile with git and docker timed (nothing changed)",
    );
    const breakdown = await this.breakdown(repo, dir);
    return {
      initial: initial.ran.ms,
      unchanged,
      naive,
      ...(naiveLoopback !== undefined ? { naiveLoopback } : {}),
      floor,
      apiFloor,
      changed,
      changedStackMs,
      single,
      breakdown,
    };
  }

  /** (b): `docker stack deploy` of every stack, one after the other, as a playbook loop does. */
  private async naiveLoop(repo: BenchRepo, renderedDir: string, where: string): Promise<number> {
    heading(
      `(b) the naive loop, ${where}: docker stack deploy of each of the ${this.count} stacks, one after the other`,
    );
    const beforeNaive = await this.serviceVersions();
    say(`each: docker stack deploy ${this.deployFlags().join(" ")} -c FILE STACK`);
    const { result: naive, requests: naiveRequests } = await this.countRequests(async () => {
      const naiveStarted = performance.now();
      for (const stack of repo.stacks) {
        await this.docker([
          "stack",
          "deploy",
          ...this.deployFlags(),
          "-c",
          path.join(renderedDir, BENCH_TARGET, stack, "compose.yaml"),
          stack,
        ]);
      }
      return performance.now() - naiveStarted;
    });
    const touched = movedServices(beforeNaive, await this.serviceVersions());
    say(
      `${ms(naive)} (${ms(naive / this.count)} per stack); it updated ${touched.length} of ` +
        `${beforeNaive.size} services (Version.Index moved) although their specs did not change` +
        requestsText(naiveRequests),
    );
    this.expect(
      naiveRequests === undefined || naiveRequests.manifests >= beforeNaive.size,
      `(b) ${where}: expected at least one manifest request per service (${beforeNaive.size}) at the registry, ` +
        `got ${naiveRequests?.manifests}`,
    );
    return naive;
  }

  /** How far the registry is, in words. */
  private distance(): string {
    if (!this.relay) return "absent";
    return this.relay.roundTripMs() > 0 ? `${this.relay.roundTripMs()} ms away` : "on loopback";
  }

  /**
   * Node's start, croncd's bundle loading, and one reconcile with nothing to do, run with wrappers
   * on PATH that time every git and docker call it makes.
   */
  private async breakdown(repo: BenchRepo, dir: string): Promise<Breakdown> {
    // The by-hand deploys above left the stack drifted from git: heal it first, so the traced run
    // has nothing to do. (Drift is reported with exit 2, which is not checked here.)
    const heal = await this.croncd(repo, "reconcile", dir);
    say(
      `croncd reconcile after the by-hand deploys (drift expected): ${actionSummary(heal.report)}, ` +
        `exit ${heal.ran.exitCode ?? heal.ran.signal}`,
    );
    const nodeStart: number[] = [];
    const croncdVersion: number[] = [];
    for (let i = 0; i < REPEATS; i++) {
      nodeStart.push((await this.spawn(process.execPath, ["-e", ""])).ms);
      const version = await this.spawn(process.execPath, ["bin/croncd.js", "version"], { cwd: REPO_ROOT });
      must(version, "croncd version");
      croncdVersion.push(version.ms);
    }
    const shims = path.join(dir, "shims");
    const trace = path.join(dir, "trace.log");
    await mkdir(shims);
    for (const tool of ["git", "docker"]) {
      const real = await findExecutable(tool);
      if (!real) throw new Error(`${tool} not found on PATH`);
      await writeFile(path.join(shims, tool), timingShim(tool, real, trace));
      await chmod(path.join(shims, tool), 0o755);
    }
    await writeFile(trace, "");
    const traced = await this.croncd(repo, "reconcile", dir, {
      env: { PATH: `${shims}:${process.env.PATH ?? ""}` },
    });
    this.expect(
      traced.ran.exitCode === 0,
      `traced reconcile exited ${traced.ran.exitCode ?? traced.ran.signal}${tail(traced.ran)}`,
    );
    this.expectEntries("traced reconcile", traced.report, repo.stacks, () => "unchanged");
    const calls = lines(await readFile(trace, "utf8")).map((line) => {
      const [tool = "?", start = "0", end = "0", ...args] = line.split(" ");
      return {
        tool,
        label: callLabel(args),
        startNs: BigInt(start),
        endNs: BigInt(end),
        ms: Number(BigInt(end) - BigInt(start)) / 1e6,
      };
    });
    // The live state and the health of every stack come from two Engine API reads for the whole
    // target, side by side (GET /services and GET /tasks, each one `docker system dial-stdio`), and
    // nothing per stack: no `service ps`, `service ls` or `stack deploy`.
    const dockerLabels = calls.filter((call) => call.tool === "docker").map((call) => call.label);
    const apiReads = dockerLabels.filter((label) => label === "system dial-stdio").length;
    const others = dockerLabels.filter((label) => label !== "system dial-stdio" && label !== "--version");
    this.expect(
      apiReads === 2 && others.length === 0,
      `traced reconcile: expected 2 Engine API reads (GET /services, GET /tasks) and no other docker call but \`--version\`, ` +
        `got ${apiReads} API read(s) and ${others.length} other call(s): ${preview(others)}`,
    );
    return {
      nodeStart: median(nodeStart),
      croncdVersion: median(croncdVersion),
      total: traced.ran.ms,
      calls,
      reportedCloneMs: traced.report.sources[0]?.durationMs,
    };
  }

  private print(t: Timings): void {
    const a = median(t.unchanged);
    const c = median(t.floor);
    const changed = median(t.changed);
    const single = median(t.single);
    const apiFloor = median(t.apiFloor);
    const where = this.relay
      ? `, registry ${this.roundTripMs > 0 ? `${this.roundTripMs} ms away` : "on loopback"}`
      : "";
    const rows: [string, number, string][] = [
      [`(a) croncd reconcile, nothing changed`, a, `median of ${runs(t.unchanged)}`],
      [
        `(b) naive loop: ${this.count} × docker stack deploy${where}`,
        t.naive,
        `once; ${ms(t.naive / this.count)} per stack`,
      ],
      ...(t.naiveLoopback !== undefined
        ? [
            [
              `    the same, registry on loopback`,
              t.naiveLoopback,
              `once; ${ms(t.naiveLoopback / this.count)} per stack`,
            ] as [string, number, string],
          ]
        : []),
      [`(c) floor: service ls + one inspect of all`, c, `median of ${runs(t.floor)}`],
      [`(c') GET /services, as croncd reads`, apiFloor, `median of ${runs(t.apiFloor)}`],
      [`one changed: croncd reconcile`, changed, `median of ${runs(t.changed)}`],
      [
        "  of which the stack's deploy + rollout wait",
        median(t.changedStackMs),
        `median of ${runs(t.changedStackMs)} (its entry in croncd's report)`,
      ],
      [`one changed: docker stack deploy of it`, single, `median of ${runs(t.single)}`],
      [`(first croncd reconcile, creating all)`, t.initial, "once"],
    ];
    heading(
      `results: ${this.count} stacks, ${this.count * SERVICES_PER_STACK} services (replicas: 0), ${cpus().length} cores, ` +
        (this.resolveImage === "always"
          ? `--resolve-image always against a local registry${this.roundTripMs > 0 ? ` ${this.roundTripMs} ms away (round trip)` : ""}`
          : "--resolve-image never, no registry"),
    );
    for (const [label, value, note] of rows) say(`  ${label.padEnd(58)} ${ms(value).padStart(9)}   ${note}`);
    say("");
    const ratio = (value: number) => value.toFixed(1);
    const bOverA = t.naive / a;
    const aOverC = a / c;
    say(
      `  b/a = ${ratio(bOverA).padStart(5)}   target ≥ ${TARGET_NAIVE_OVER_CRONCD}: ${bOverA >= TARGET_NAIVE_OVER_CRONCD ? "met" : "MISSED"}${where}`,
    );
    if (t.naiveLoopback !== undefined) {
      const loopback = t.naiveLoopback / a;
      say(
        `  b/a = ${ratio(loopback).padStart(5)}   target ≥ ${TARGET_NAIVE_OVER_CRONCD}: ${loopback >= TARGET_NAIVE_OVER_CRONCD ? "met" : "MISSED"}, registry on loopback (no distance at all)`,
      );
    }
    say(
      `  a/c = ${ratio(aOverC).padStart(5)}   target ≤ ${TARGET_CRONCD_OVER_FLOOR}: ${aOverC <= TARGET_CRONCD_OVER_FLOOR ? "met" : "MISSED"}, against (c), the floor as issue 4 defines it`,
    );
    say(
      `  a/c' = ${ratio(a / apiFloor)}   no target: against (c'), the one API read croncd itself makes (node's start alone is more)`,
    );
    say(
      `  one changed stack, croncd / single docker stack deploy = ${ratio(changed / single)}` +
        " (croncd also clones, renders and plans every stack, and waits for the rollout)",
    );
    const withoutWait = changed - median(t.changedStackMs) + single;
    say(
      `    without the rollout wait (croncd's run minus the stack's entry, plus one deploy): ` +
        `${ms(withoutWait)}, ${ratio(withoutWait / single)}×`,
    );
    if (this.count !== DEFAULT_STACKS)
      say(`  (the targets are meant for ${DEFAULT_STACKS} stacks; this run had ${this.count})`);

    const b = t.breakdown;
    const byTool = (tool: string) => t.breakdown.calls.filter((call) => call.tool === tool);
    const sum = (calls: { ms: number }[]) => calls.reduce((total, call) => total + call.ms, 0);
    const git = byTool("git");
    const docker = byTool("docker");
    // croncd reads the live state while it clones and renders: count overlapping calls once.
    const waited = unionMs(t.breakdown.calls);
    const rest = b.total - b.croncdVersion - waited;
    const detail = (calls: { label: string; ms: number }[]) =>
      calls.map((call) => `${call.label} ${ms(call.ms)}`).join(", ");
    heading("where the time of one croncd reconcile with nothing changed goes");
    const share = (value: number) =>
      `${ms(value).padStart(9)}  ${((100 * value) / b.total).toFixed(0).padStart(3)} %`;
    say(`  ${"node start (node -e '')".padEnd(58)} ${share(b.nodeStart)}`);
    say(
      `  ${"loading croncd's bundle (croncd version, minus the above)".padEnd(58)} ${share(b.croncdVersion - b.nodeStart)}`,
    );
    say(`  ${`git: ${git.length} calls (the clone)`.padEnd(58)} ${share(sum(git))}`);
    say(`      ${detail(git)}`);
    if (b.reportedCloneMs !== undefined)
      say(`      (croncd's report: source pulled in ${ms(b.reportedCloneMs)})`);
    say(
      `  ${`docker: ${docker.length} calls (floor (c) above: ${ms(c)}, (c') ${ms(median(t.apiFloor))})`.padEnd(58)} ${share(sum(docker))}`,
    );
    say(`      ${detail(docker)}`);
    say(`  ${"git and docker together, overlaps counted once".padEnd(58)} ${share(waited)}`);
    say(`  ${`croncd's own work besides: config, render + schema`.padEnd(58)} ${share(rest)}`);
    say(`      check of ${this.count} stacks, live-state parsing, plan, report`);
    say(
      `  ${"total of this run (git and docker behind timing wrappers)".padEnd(58)} ${ms(b.total).padStart(9)}`,
    );
  }

  /** The naive side's `docker stack deploy` flags: what playbooks pass (or leave to the defaults). */
  private deployFlags(): string[] {
    return this.resolveImage === "always"
      ? ["--resolve-image", "always", "--with-registry-auth"]
      : ["--resolve-image", "never"];
  }

  /** Runs the built CLI as CI does (`node bin/croncd.js …`), with a JSON report. */
  private async croncd(
    repo: BenchRepo,
    command: "reconcile" | "plan" | "render",
    dir: string,
    options: { extra?: string[]; timeoutMs?: number; env?: Record<string, string> } = {},
  ): Promise<{ ran: Ran; report: RunReport }> {
    const reportFile = path.join(dir, "report.json");
    await rm(reportFile, { force: true });
    const ran = await this.spawn(
      process.execPath,
      ["bin/croncd.js", command, "--config", repo.config, "--report", reportFile, ...(options.extra ?? [])],
      { cwd: REPO_ROOT, timeoutMs: options.timeoutMs ?? CALL_TIMEOUT_MS, env: options.env ?? {} },
    );
    let report: RunReport;
    try {
      report = JSON.parse(await readFile(reportFile, "utf8")) as RunReport;
    } catch {
      throw new Error(`croncd ${command} wrote no report (exit ${ran.exitCode ?? ran.signal})${tail(ran)}`);
    }
    return { ran, report };
  }

  /** A docker call to the private daemon that must succeed. */
  private async docker(args: string[]): Promise<Ran> {
    const ran = await this.spawn("docker", args);
    must(ran, `docker ${args.slice(0, 2).join(" ")}`);
    return ran;
  }

  /** Service name → Version.Index, which Swarm raises on every update of the service. */
  private async serviceVersions(): Promise<Map<string, number>> {
    const ids = lines((await this.docker(["service", "ls", "--quiet"])).stdout);
    const versions = new Map<string, number>();
    if (ids.length === 0) return versions;
    const out = await this.docker([
      "service",
      "inspect",
      "--format",
      "{{.Spec.Name}} {{.Version.Index}}",
      ...ids,
    ]);
    for (const line of lines(out.stdout)) {
      const [name = "", index = ""] = line.split(" ");
      versions.set(name, Number(index));
    }
    return versions;
  }

  /** Spawns a program against the private daemon only, timed from spawn to exit. */
  private async spawn(
    file: string,
    args: string[],
    options: { cwd?: string; timeoutMs?: number; env?: Record<string, string> } = {},
  ): Promise<Ran> {
    this.checkInterrupted();
    const swarm = this.requireSwarm();
    const started = performance.now();
    this.current = execa(file, args, {
      cwd: options.cwd,
      env: { ...swarm.env, ...options.env },
      timeout: options.timeoutMs ?? CALL_TIMEOUT_MS,
      reject: false,
      stdin: "ignore",
    });
    const result = await this.current;
    const elapsed = performance.now() - started;
    this.current = undefined;
    this.checkInterrupted();
    return {
      exitCode: result.exitCode,
      signal: result.signal,
      stdout: String(result.stdout ?? ""),
      stderr: String(result.stderr ?? result.message ?? ""),
      ms: elapsed,
      timedOut: result.timedOut === true,
    };
  }

  private requireSwarm(): PrivateSwarm {
    if (!this.swarm) throw new Error("the private Swarm is not running");
    return this.swarm;
  }

  /** Every stack of the report has the expected action; a mismatch becomes a problem. */
  private expectEntries(
    what: string,
    report: RunReport,
    stacks: readonly string[],
    action: (stack: string) => string,
  ): boolean {
    const entries = report.entries.filter((entry) => entry.kind === "stack");
    const wrong = stacks.filter(
      (stack) => entries.find((entry) => entry.name === stack)?.action !== action(stack),
    );
    const extra = entries.filter((entry) => !stacks.includes(entry.name));
    const other = report.entries.filter((entry) => entry.kind !== "stack");
    const ok = wrong.length === 0 && extra.length === 0 && other.length === 0;
    if (!ok) {
      const describe = (name: string) => {
        const entry = report.entries.find((candidate) => candidate.name === name);
        const details = entry?.details?.length ? ` [${entry.details.slice(0, 3).join("; ")}]` : "";
        return entry ? `${name} ${entry.action} (${entry.reason})${details}` : `${name} missing`;
      };
      this.problems.push(
        `${what}: ${wrong.length + extra.length + other.length} unexpected entr(ies): ` +
          preview([...wrong, ...extra.map((entry) => entry.name)].map(describe), 3) +
          other.map((entry) => `; ${entry.kind} ${entry.name} ${entry.action}: ${entry.reason}`).join(""),
      );
      say(`  ! ${this.problems.at(-1) ?? ""}`);
    }
    return ok;
  }

  private expect(condition: boolean, problem: string): void {
    if (condition) return;
    this.problems.push(problem);
    say(`  ! ${problem}`);
  }

  private checkInterrupted(): void {
    if (this.interrupted) throw new Error(`interrupted (${this.interrupted})`);
  }
}

/** A `sh` wrapper that times one call of `real` into `trace`, passing stdin, output and exit code on. */
/** Wall time covered by at least one of the calls. */
function unionMs(calls: readonly { startNs: bigint; endNs: bigint }[]): number {
  const sorted = [...calls].sort((a, b) => (a.startNs < b.startNs ? -1 : a.startNs > b.startNs ? 1 : 0));
  let total = 0n;
  let start: bigint | undefined;
  let end = 0n;
  for (const call of sorted) {
    if (start === undefined || call.startNs > end) {
      if (start !== undefined) total += end - start;
      start = call.startNs;
      end = call.endNs;
    } else if (call.endNs > end) {
      end = call.endNs;
    }
  }
  if (start !== undefined) total += end - start;
  return Number(total) / 1e6;
}

function timingShim(tool: string, real: string, trace: string): string {
  return [
    "#!/bin/sh",
    "# Written by the croncd benchmark: times one call, then passes the exit code on.",
    "start=$(date +%s%N)",
    `'${real}' "$@"`,
    "code=$?",
    "end=$(date +%s%N)",
    `echo "${tool} $start $end $1 $2 $3 $4 $5" >> '${trace}'`,
    "exit $code",
    "",
  ].join("\n");
}

/** `service inspect`, `fetch`: the command, without options such as git's `-c key=value`. */
function callLabel(args: readonly string[]): string {
  const words: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === "-c" || arg === "--context") i++;
    else if (!arg.startsWith("-")) words.push(arg);
  }
  const [first = args[0] ?? "?", second] = words;
  const grouped = ["service", "stack", "network", "config", "secret", "node", "remote", "system"];
  return grouped.includes(first) && second ? `${first} ${second}` : first;
}

function requestsText(requests: RegistryRequests | undefined): string {
  if (requests === undefined) return "";
  return `; registry: ${requests.total} request(s), ${requests.manifests} for manifests`;
}

function must(ran: Ran, what: string): void {
  if (ran.exitCode === 0) return;
  const why = ran.timedOut ? "timed out" : `exit ${ran.exitCode ?? ran.signal ?? "?"}`;
  throw new Error(`${what} failed (${why})${tail(ran)}`);
}

function tail(ran: Ran, count = 15): string {
  const text = `${ran.stdout}\n${ran.stderr}`.trim();
  if (text === "") return "";
  return `:\n    ${text.split("\n").slice(-count).join("\n    ")}`;
}

function movedServices(before: Map<string, number>, after: Map<string, number>): string[] {
  const names = new Set([...before.keys(), ...after.keys()]);
  return [...names].filter((name) => before.get(name) !== after.get(name)).sort();
}

function actionSummary(report: RunReport): string {
  const counts = new Map<string, number>();
  for (const entry of report.entries) counts.set(entry.action, (counts.get(entry.action) ?? 0) + 1);
  return [...counts].map(([action, n]) => `${n} ${action}`).join(", ") || "no entries";
}

function preview(items: readonly string[], max = 6): string {
  if (items.length === 0) return "none";
  return items.slice(0, max).join(", ") + (items.length > max ? ` and ${items.length - max} more` : "");
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

function runs(values: readonly number[]): string {
  return values.map((value) => value.toFixed(0)).join(", ");
}

function ms(value: number): string {
  return `${value.toFixed(0)} ms`;
}

function seconds(since: number): string {
  return ((performance.now() - since) / 1000).toFixed(1);
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}
