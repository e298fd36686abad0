/**
 * Runs jobs that depend on each other: independent ones in parallel up to a limit, each one only
 * after everything it depends on succeeded. A job whose dependency failed does not run; it gets
 * the result `blocked` makes for it.
 */
export interface Job<T> {
  name: string;
  dependsOn: readonly string[];
  run: () => Promise<T>;
}

export interface ScheduleOptions<T> {
  parallelism: number;
  /** Whether a finished job lets its dependents start. */
  succeeded: (result: T) => boolean;
  /** The result of a job that cannot run because `dependency` did not succeed. */
  blocked: (job: Job<T>, dependency: string) => T;
  /** Results of jobs that are not run here but may be depended on (unchanged stacks...). */
  settled?: ReadonlyMap<string, T>;
}

/** Cycles must have been ruled out before: a job waiting on itself would never start. */
export async function runScheduled<T>(
  jobs: readonly Job<T>[],
  options: ScheduleOptions<T>,
): Promise<Map<string, T>> {
  const results = new Map<string, T>(options.settled ?? []);
  const waiting = new Set(jobs.map((job) => job.name));
  const running = new Map<string, Promise<void>>();
  const byName = new Map(jobs.map((job) => [job.name, job]));

  const ready = (job: Job<T>) => job.dependsOn.every((name) => results.has(name) || !byName.has(name));
  for (;;) {
    for (const name of [...waiting]) {
      const job = byName.get(name) as Job<T>;
      if (!ready(job)) continue;
      const failed = job.dependsOn.find((dependency) => {
        const result = results.get(dependency);
        return result !== undefined && !options.succeeded(result);
      });
      if (failed !== undefined) {
        waiting.delete(name);
        results.set(name, options.blocked(job, failed));
        continue;
      }
      if (running.size >= options.parallelism) break;
      waiting.delete(name);
      running.set(
        name,
        job.run().then((result) => {
          results.set(name, result);
          running.delete(name);
        }),
      );
    }
    if (running.size === 0) {
      if (waiting.size === 0) return results;
      // Only jobs blocked on results that never come: shown, not hung.
      for (const name of waiting)
        results.set(name, options.blocked(byName.get(name) as Job<T>, "an unresolved dependency"));
      return results;
    }
    await Promise.race(running.values());
  }
}
