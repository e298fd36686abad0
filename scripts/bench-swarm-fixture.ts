// The config repository of the Swarm part of `npm run bench`: a bare git repository holding
// `stacks/s001..sNNN/compose.yaml`, three services each, and the croncd.yaml that points at it.
// Every service runs with `replicas: 0`: what is measured is the control plane (git, rendering,
// docker's API, service specs, overlay networks), which is the same with or without tasks, and a
// 2-core machine could not run hundreds of containers without that becoming the benchmark.
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { createBareRepo, TestRepo } from "../test/helpers/git-repo.js";

export const BENCH_TARGET = "bench";
/** The environment variable changed in git, or by hand, for the "one changed stack" measurements. */
export const REVISION_VARIABLE = "BENCH_REVISION";
/** The service of each stack that carries REVISION_VARIABLE. */
export const REVISION_SERVICE = "app";
export const SERVICES_PER_STACK = 3;

export function stackName(index: number): string {
  return `s${String(index).padStart(3, "0")}`;
}

export function stackFile(name: string): string {
  return `stacks/${name}/compose.yaml`;
}

/** Three services, no tasks; `revision` goes into the app's environment. */
export function stackCompose(name: string, image: string, revision: string): string {
  const service = (role: string, extra: string[] = []) => [
    `  ${role}:`,
    `    image: ${image}`,
    `    command: ["sleep", "3600"]`,
    `    environment:`,
    `      STACK: ${name}`,
    `      ROLE: ${role}`,
    ...extra.map((line) => `      ${line}`),
    `    deploy:`,
    `      replicas: 0`,
  ];
  return [
    `# ${name}: one of the benchmark's stacks (replicas: 0, so no task ever runs)`,
    `services:`,
    ...service(REVISION_SERVICE, [`${REVISION_VARIABLE}: "${revision}"`]),
    ...service("worker", ["QUEUE: default"]),
    ...service("cache", ["MAX_MEMORY: 64mb"]),
    "",
  ].join("\n");
}

export interface BenchRepo {
  /** The bare repository croncd clones from. */
  bare: string;
  /** The working copy commits are made in. */
  work: TestRepo;
  /** croncd.yaml, next to both. */
  config: string;
  stacks: string[];
  /** Commits `revision` into one stack's compose file and pushes it. */
  setRevision(stack: string, revision: string): Promise<void>;
}

/**
 * `resolveImage` goes into croncd.yaml: `always` (croncd's default, and the docker CLI's) when the
 * image is in a registry the daemon can reach, `never` when it exists only in the private daemon.
 */
export async function createBenchRepo(
  dir: string,
  count: number,
  image: string,
  resolveImage: "always" | "never",
): Promise<BenchRepo> {
  const stacks = Array.from({ length: count }, (_, i) => stackName(i + 1));
  const bare = await createBareRepo(dir, "stacks.git");
  const files = Object.fromEntries(stacks.map((name) => [stackFile(name), stackCompose(name, image, "0")]));
  const work = await TestRepo.create(path.join(dir, "work"), files, {
    message: `${count} stacks of ${SERVICES_PER_STACK} services`,
  });
  await work.push(bare);
  const config = path.join(dir, "croncd.yaml");
  await writeFile(
    config,
    [
      "# Written by scripts/bench-swarm-fixture.ts for `npm run bench`.",
      "sources:",
      `  - name: bench`,
      `    url: ${bare}`,
      "    ref: main",
      "targets:",
      `  - name: ${BENCH_TARGET}`,
      "    type: swarm",
      "    source: bench",
      "    path: stacks",
      ...(resolveImage === "never"
        ? ["    # The image exists only in the private Swarm: there is no registry to ask."]
        : ["    # The image is in the benchmark's local registry: asked for its digest on every deploy."]),
      `    resolveImage: ${resolveImage}`,
      "    withRegistryAuth: true",
      "",
    ].join("\n"),
  );
  return {
    bare,
    work,
    config,
    stacks,
    async setRevision(stack, revision) {
      await work.write(stackFile(stack), stackCompose(stack, image, revision));
      await work.commit(`${stack}: ${REVISION_VARIABLE}=${revision}`);
      await work.push(bare);
    },
  };
}
