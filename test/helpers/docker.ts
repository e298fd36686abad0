// Helpers for tests that talk to the test Swarm started by global-setup.ts.
//
// Two workers run test files in parallel against the same Swarm, so nothing here removes what another
// file may be using: stacks are named with `uniqueStackName` and removed by prefix.
import { randomBytes } from "node:crypto";
import { execa } from "execa";
import { inject } from "vitest";
import { nonEmptyLines as lines } from "../../src/util/text-lines.js";
import { TEST_IMAGE, TEST_STACK_PREFIX } from "./global-setup.js";

export { TEST_IMAGE, TEST_IMAGE_V2, TEST_STACK_PREFIX } from "./global-setup.js";

const DEFAULT_DOCKER_TIMEOUT_MS = 120_000;

/** The DOCKER_HOST of the test Swarm, as provided by the global setup. */
export function dockerHost(): string {
  const host = inject("dockerHost");
  if (!host) {
    // Without the global setup we might talk to whatever daemon DOCKER_HOST points at: refuse.
    throw new Error("dockerHost was not provided: run the tests with vitest.config.ts (globalSetup).");
  }
  return host;
}

export interface DockerOptions {
  /** Standard input for the command. */
  input?: string | Buffer;
  cwd?: string;
  /** Extra environment; DOCKER_HOST is always the test daemon's. */
  env?: Record<string, string>;
  timeoutMs?: number;
}

/** Runs the docker CLI against the test daemon; resolves to stdout, rejects with stderr in the message. */
export async function docker(args: string[], options: DockerOptions = {}): Promise<string> {
  const result = await execa("docker", args, {
    input: options.input,
    cwd: options.cwd,
    env: { ...options.env, DOCKER_HOST: dockerHost() },
    timeout: options.timeoutMs ?? DEFAULT_DOCKER_TIMEOUT_MS,
    reject: false,
  });
  if (result.failed) {
    const reason = result.timedOut ? "timed out" : `exit code ${result.exitCode ?? "?"}`;
    throw new Error(`docker ${args.join(" ")} failed (${reason}): ${result.stderr.trim() || result.message}`);
  }
  return result.stdout;
}

/** The parts of `docker service inspect` output that tests usually look at; the rest is kept as unknown. */
export interface DockerService {
  ID: string;
  Version: { Index: number };
  CreatedAt: string;
  UpdatedAt: string;
  Spec: {
    Name: string;
    Labels?: Record<string, string>;
    TaskTemplate: {
      ContainerSpec: {
        Image: string;
        Labels?: Record<string, string>;
        Command?: string[];
        Args?: string[];
        Env?: string[];
        Configs?: { ConfigID: string; ConfigName: string; File?: { Name: string } }[];
        Secrets?: { SecretID: string; SecretName: string; File?: { Name: string } }[];
        [key: string]: unknown;
      };
      Networks?: { Target: string; Aliases?: string[] }[];
      [key: string]: unknown;
    };
    Mode: { Replicated?: { Replicas: number }; Global?: Record<string, never>; [key: string]: unknown };
    [key: string]: unknown;
  };
  UpdateStatus?: { State: string; Message?: string };
  [key: string]: unknown;
}

/** The parts of `docker inspect <task>` output that tests usually look at. */
export interface DockerTask {
  ID: string;
  ServiceID: string;
  Slot?: number;
  DesiredState: string;
  Status: { State: string; Message?: string; Err?: string; [key: string]: unknown };
  Spec: { ContainerSpec: { Image: string; [key: string]: unknown }; [key: string]: unknown };
  [key: string]: unknown;
}

/**
 * Services as `docker service inspect` JSON, optionally only those with a label filter such as
 * `com.docker.stack.namespace=mystack` (or just a label name).
 */
export async function listServices(filterLabel?: string): Promise<DockerService[]> {
  const filter = filterLabel === undefined ? [] : ["--filter", `label=${filterLabel}`];
  const ids = lines(await docker(["service", "ls", "-q", ...filter]));
  return inspectTolerant<DockerService>(["service", "inspect"], ids);
}

/** Tasks of one service (current and historic) as `docker inspect` JSON. */
export async function listTasks(service: string): Promise<DockerTask[]> {
  const ids = lines(await docker(["service", "ps", "-q", "--no-trunc", service]));
  return inspectTolerant<DockerTask>(["inspect", "--type", "task"], ids);
}

// Objects can disappear between listing and inspecting (another worker, Swarm's own cleanup):
// those are simply not returned.
async function inspectTolerant<T>(command: string[], ids: string[]): Promise<T[]> {
  if (ids.length === 0) return [];
  const result = await execa("docker", [...command, ...ids], {
    env: { DOCKER_HOST: dockerHost() },
    timeout: DEFAULT_DOCKER_TIMEOUT_MS,
    reject: false,
  });
  const errors = lines(result.stderr);
  const missingOnly =
    !result.timedOut &&
    errors.length > 0 &&
    errors.every((line) => /no such (service|task|object)/i.test(line));
  if (result.failed && !missingOnly) {
    throw new Error(`docker ${command.join(" ")} failed: ${result.stderr.trim() || result.message}`);
  }
  return result.stdout.trim() === "" ? [] : (JSON.parse(result.stdout) as T[]);
}

export interface WaitForOptions {
  timeoutMs: number;
  /** Pause between attempts; 250 ms unless given. */
  intervalMs?: number;
  /** What is awaited, for the timeout message: "service x to be running". */
  what: string;
}

type Found<T> = Exclude<T, undefined | null | false>;

/**
 * Polls `predicate` until it returns something other than undefined, null or false, and resolves to
 * that. A predicate that throws counts as "not yet" (the error is shown if time runs out).
 */
export async function waitFor<T>(
  predicate: () => T | Promise<T>,
  options: WaitForOptions,
): Promise<Found<T>> {
  const intervalMs = options.intervalMs ?? 250;
  const deadline = Date.now() + options.timeoutMs;
  let last: string;
  for (;;) {
    try {
      const value = await predicate();
      if (value !== undefined && value !== null && value !== false) return value as Found<T>;
      last = `last result: ${String(value)}`;
    } catch (error) {
      last = `last error: ${error instanceof Error ? error.message : String(error)}`;
    }
    if (Date.now() + intervalMs > deadline) {
      throw new Error(`Timed out after ${options.timeoutMs} ms waiting for ${options.what} (${last})`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/**
 * A stack name no other test uses: `croncdt-<label>-<random>`. Keep `label` short; Swarm service
 * names (`<stack>_<service>`) are limited to 63 characters.
 */
export function uniqueStackName(label: string): string {
  const cleaned = label
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 24);
  return `${TEST_STACK_PREFIX}${cleaned || "t"}-${randomBytes(3).toString("hex")}`;
}

/**
 * Removes every stack whose name starts with `prefix` and (unless `wait` is false) waits until their
 * services and networks are gone, which takes a few seconds. The prefix is required so that parallel
 * test files never remove each other's stacks. Resolves to the names of the removed stacks.
 */
export async function removeAllStacks(
  prefix: string,
  options: { wait?: boolean; timeoutMs?: number } = {},
): Promise<string[]> {
  if (prefix.trim() === "") throw new Error("removeAllStacks needs a non-empty stack name prefix");
  const stacks = lines(await docker(["stack", "ls", "--format", "{{.Name}}"])).filter((name) =>
    name.startsWith(prefix),
  );
  if (stacks.length === 0) return [];
  // Networks are often still "in use by task" when `stack rm` tries them: removed below, once free.
  // "Failed to remove some resources" covers networks still in use by a stopping task, but also a
  // service whose removal failed under load: the wait below asks again for whatever is left.
  const requestRemoval = (names: string[]) =>
    docker(["stack", "rm", ...names]).catch((error: unknown) => {
      if (!/in use by task|failed to remove some resources/i.test(String(error))) throw error;
    });
  await requestRemoval(stacks);
  if (options.wait === false) return stacks;
  let lastRequest = Date.now();
  // `docker stack rm` only asks Swarm to remove things; networks go after their tasks have stopped.
  let remaining = "";
  const goneFromSwarm = new Set<string>();
  await waitFor(
    async () => {
      remaining = "";
      for (const stack of stacks) {
        const namespace = `label=com.docker.stack.namespace=${stack}`;
        const services = lines(
          await docker(["service", "ls", "--format", "{{.Name}}", "--filter", namespace]),
        );
        const networks = lines(
          await docker(["network", "ls", "--format", "{{.Name}}", "--filter", namespace]),
        );
        if (services.length > 0 && Date.now() - lastRequest > 10_000) {
          lastRequest = Date.now();
          await requestRemoval([stack]);
        }
        // A network the Swarm no longer knows is gone, though a node whose finished job containers
        // still sit on it keeps listing it (as croncd's own removeStack knows too).
        const listed = networks.filter((name) => !goneFromSwarm.has(name));
        if (services.length === 0) {
          for (const network of listed) {
            await docker(["network", "rm", network]).catch((error: unknown) => {
              if (/\bnot found\b/i.test(String(error))) goneFromSwarm.add(network);
              else remaining += ` (network rm: ${String(error)})`;
            });
          }
        }
        const left = listed.filter((name) => !goneFromSwarm.has(name));
        if (services.length > 0 || left.length > 0) {
          remaining = `services [${services.join(", ")}], networks [${left.join(", ")}]${remaining}`;
          return false;
        }
      }
      return true;
    },
    {
      timeoutMs: options.timeoutMs ?? 60_000,
      intervalMs: 500,
      what: `stacks ${stacks.join(", ")} to be removed`,
    },
  ).catch(async (error: unknown) => {
    // Say what was left, and what its tasks were doing: a bare timeout cannot be diagnosed later.
    const tasks = await docker(["ps", "-a", "--format", "{{.Names}} {{.Status}}"]).catch(String);
    throw new Error(`${String(error)}; still there: ${remaining}; containers:\n${tasks}`);
  });
  return stacks;
}

/** A file as the first running container of `service` (`<stack>_<service>`) sees it. */
export async function readInServiceContainer(service: string, file: string): Promise<string> {
  const container = await waitFor(
    async () =>
      (await docker(["ps", "-q", "--filter", `label=com.docker.swarm.service.name=${service}`]))
        .split("\n")[0]
        ?.trim() || undefined,
    { timeoutMs: 60_000, what: `a running container of ${service}` },
  );
  return docker(["exec", container, "cat", file]);
}

/** A compose file whose one service exits 3 a second after it starts, restarted after 1 s: a crash loop. */
export const CRASH_LOOP_COMPOSE = `services:
  app:
    image: ${TEST_IMAGE}
    command: ["sh", "-c", "sleep 1; exit 3"]
    deploy:
      restart_policy: { delay: 1s }
`;
