// The Swarm lock (src/targets/swarm/lock-store.ts) as a test sees and makes it with the docker CLI:
// who holds a lock of some name, and a lock "another run" holds, written with croncd's labels.
import { LOCK_LABELS } from "../../src/targets/swarm/lock-store.js";
import { docker } from "./docker.js";

/** The holder of the lock `name` on the test Swarm, or undefined when there is none. */
export async function swarmLockHolder(name: string): Promise<string | undefined> {
  const ids = (await docker(["config", "ls", "--quiet", "--filter", `name=${name}`])).split("\n");
  for (const id of ids.filter(Boolean)) {
    // The filter matches names by prefix: only the exact name is the lock.
    const [found, holder] = (
      await docker([
        "config",
        "inspect",
        "--format",
        `{{.Spec.Name}} {{index .Spec.Labels "${LOCK_LABELS.holder}"}}`,
        id,
      ])
    ).split(" ");
    if (found === name) return holder;
  }
  return undefined;
}

/** Creates the lock `name` as a run `holder` holding it until `expiresAt` would have. */
export async function holdSwarmLock(name: string, holder: string, expiresAt: Date): Promise<void> {
  const labels = {
    [LOCK_LABELS.holder]: holder,
    [LOCK_LABELS.token]: `by-hand-${Date.now()}`,
    [LOCK_LABELS.acquiredAt]: new Date().toISOString(),
    [LOCK_LABELS.expiresAt]: expiresAt.toISOString(),
  };
  const flags = Object.entries(labels).flatMap(([key, value]) => ["--label", `${key}=${value}`]);
  await docker(["config", "create", ...flags, name, "-"], { input: "held by a test\n" });
}

export async function removeSwarmLock(name: string): Promise<void> {
  await docker(["config", "rm", name]).catch((error: unknown) => {
    if (!/not found|no such/i.test(String(error))) throw error;
  });
}
