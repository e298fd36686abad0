// Runs the real `croncd` command (the bundled CLI) the way a CI job does, and writes the
// croncd.yaml a test needs. Every config written here pins docker.host to the test Swarm, so
// croncd never talks to a daemon the tests did not start.
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import { stringify } from "yaml";
import { dockerHost } from "./docker.js";

const BIN = fileURLToPath(new URL("../../bin/croncd.js", import.meta.url));

export interface CroncdResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** stdout and stderr together, for assertions on the log. */
  output: string;
}

export interface CroncdRunOptions {
  cwd: string;
  env?: Record<string, string>;
  timeoutMs?: number;
}

export async function runCroncd(args: string[], options: CroncdRunOptions): Promise<CroncdResult> {
  const result = await startCroncd(args, options);
  const stdout = String(result.stdout);
  const stderr = String(result.stderr);
  return { exitCode: result.exitCode ?? -1, stdout, stderr, output: `${stdout}\n${stderr}` };
}

/** Starts croncd and returns the running process, for tests that signal it or watch its children. */
export function startCroncd(args: string[], options: CroncdRunOptions) {
  return execa("node", [BIN, ...args], {
    cwd: options.cwd,
    // The CI variables of the machine running the tests must not change croncd's log format.
    env: {
      GITLAB_CI: "",
      GITHUB_ACTIONS: "",
      DOCKER_HOST: "unix:///nonexistent/not-the-test-daemon",
      ...options.env,
    },
    reject: false,
    timeout: options.timeoutMs ?? 300_000,
  });
}

export interface SwarmTargetSpec {
  name: string;
  source: string;
  path?: string;
  prune?: boolean;
  allowEmpty?: boolean;
  maxPrune?: number;
  env?: string[];
  secretEnv?: string[];
  keepRevisions?: number;
  /** The target's tenant policy (croncd.yaml `policy:`), as written there. */
  policy?: Record<string, unknown>;
  /** `never` unless given: the test images exist only in the test daemon. */
  resolveImage?: "always" | "changed" | "never";
  followTags?: boolean;
  /** Merged over the test Swarm's host (a test may point a target at another daemon on purpose). */
  docker?: { host?: string; timeout?: number; deployTimeout?: number };
  /** Merged over TEST_LOCK. */
  lock?: { name?: string; wait?: number; ttl?: number };
}

/**
 * Every test file shares the default lock of the test Swarm, as configurations sharing a Swarm do;
 * a short ttl keeps a run a test kills on purpose from holding up the other files for long.
 */
export const TEST_LOCK = { ttl: 15 } as const;

export interface SourceSpec {
  name: string;
  url: string;
  ref?: string;
  auth?: Record<string, string>;
  stallTimeout?: number;
  submodules?: boolean;
}

/** Writes `dir/croncd.yaml`; targets get the test Swarm as docker.host and (unless set) `resolveImage: never`. */
export async function writeConfig(
  dir: string,
  sources: SourceSpec[],
  targets: SwarmTargetSpec[],
  /** Other top-level croncd.yaml keys (`alerts:`). */
  extra: Record<string, unknown> = {},
): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, "croncd.yaml");
  const config = {
    sources,
    targets: targets.map((target) => ({
      type: "swarm",
      resolveImage: "never",
      ...target,
      docker: { host: dockerHost(), ...target.docker },
      lock: { ...TEST_LOCK, ...target.lock },
    })),
    ...extra,
  };
  await writeFile(file, stringify(config));
  return file;
}

export interface JsonReport {
  command: string;
  exitCode: number;
  sources: { name: string; commit?: string; error?: string }[];
  entries: {
    kind: string;
    name: string;
    target: string;
    action: string;
    reason: string;
    location?: { file: string; line?: number };
  }[];
}

export async function readReport(file: string): Promise<JsonReport> {
  return JSON.parse(await readFile(file, "utf8")) as JsonReport;
}

/** `{ stackName: action }` for the stack entries of a report. */
export function actionsByStack(report: JsonReport): Record<string, string> {
  return Object.fromEntries(report.entries.filter((e) => e.kind === "stack").map((e) => [e.name, e.action]));
}
