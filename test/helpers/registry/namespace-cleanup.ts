// Deleting the test registry's network namespaces: our own on stop or process exit, and those of
// earlier runs that were killed before their teardown. A namespace lives on while any process is
// inside it (and its veth with it), so whatever still runs there is killed first.
import { execFileSync } from "node:child_process";
import { execa } from "execa";
import { isAlive, signalProcess, withSystemBinDirs } from "../swarm/system.js";

export const REGISTRY_NAMESPACE_PREFIX = "croncd-reg-";
/** `croncd-reg-<pid of the process that made it>-<random>`. */
const REGISTRY_NAMESPACE_PATTERN = /^croncd-reg-(\d+)-[0-9a-f]+$/;

export const ipEnv = (): Record<string, string> => ({ PATH: withSystemBinDirs(process.env.PATH) });

/** Kills the processes inside `name` and deletes it; a namespace that is gone already is fine. */
export async function deleteNamespace(name: string): Promise<void> {
  const pids = await execa("ip", ["netns", "pids", name], { reject: false, env: ipEnv() });
  for (const pid of parsePids(pids.stdout)) signalProcess(pid, "SIGKILL");
  await execa("ip", ["netns", "delete", name], { reject: false, env: ipEnv() });
}

/** deleteNamespace for a process "exit" handler, where only synchronous work runs. */
export function deleteNamespaceSync(name: string): void {
  try {
    const pids = execFileSync("ip", ["netns", "pids", name], { encoding: "utf8", env: ipEnv() });
    for (const pid of parsePids(pids)) signalProcess(pid, "SIGKILL");
    execFileSync("ip", ["netns", "delete", name], { stdio: "ignore", env: ipEnv() });
  } catch {
    // Already gone.
  }
}

/**
 * Deletes the registry namespaces whose creator is dead: a run killed before its teardown. A
 * concurrent run's namespace (its creator alive) is left alone.
 */
export async function sweepStaleNamespaces(): Promise<void> {
  const listed = await execa("ip", ["netns", "list"], { reject: false, env: ipEnv() });
  for (const line of listed.stdout.split("\n")) {
    // `name` or `name (id: 3)`.
    const name = line.trim().split(" ")[0] ?? "";
    const creator = REGISTRY_NAMESPACE_PATTERN.exec(name)?.[1];
    if (creator !== undefined && !isAlive(Number(creator))) await deleteNamespace(name);
  }
}

function parsePids(text: string): number[] {
  return text
    .split("\n")
    .map((line) => Number.parseInt(line.trim(), 10))
    .filter((pid) => Number.isInteger(pid) && pid > 0 && pid !== process.pid);
}
