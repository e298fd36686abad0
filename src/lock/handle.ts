/**
 * A lock this run holds: renewed on a timer that does not keep node alive (a long deploy outlives
 * the ttl), released at the end, and released on the way out when SIGTERM or SIGINT ends croncd
 * (exit-on-signal.ts makes those run the process's `exit` listeners).
 */
import { exitOnSignals } from "../util/exit-on-signal.js";
import { oneAtATime } from "../util/one-at-a-time.js";
import { describeError } from "../errors.js";
import { renewedRecord, type LockRecord } from "./record.js";
import type { LockStore } from "./store.js";

export interface LockHandle {
  /** `Swarm config croncd-lock` */
  readonly where: string;
  readonly record: LockRecord;
  /** Why the lock is no longer this run's (a renewal found it gone or replaced); undefined while held. */
  lostBecause(): string | undefined;
  /** Stops renewing and removes the lock (if still ours); true when it did. Never throws: a failure is logged. */
  release(): Promise<boolean>;
}

export interface HoldOptions<Version> {
  store: LockStore<Version>;
  version: Version;
  record: LockRecord;
  timing: { ttl: number };
  log: { warn(line: string): void; error(line: string): void };
  now: () => Date;
}

export function holdLock<Version>(options: HoldOptions<Version>): LockHandle {
  const { store, timing, log, now } = options;
  let version = options.version;
  let record = options.record;
  let lost: string | undefined;
  let released = false;
  const serial = oneAtATime();

  const renew = () =>
    serial(async () => {
      if (released || lost) return;
      const next = renewedRecord(record, now(), timing.ttl);
      try {
        const renewed = await store.renew(version, next);
        if (renewed === undefined) {
          lost = `${store.where} was removed or taken over by another run while this run held it (renewals failed for longer than lock.ttl?)`;
          log.error(lost);
          return;
        }
        version = renewed;
        record = next;
      } catch (error) {
        // The next renewal may get through: the lock lives a whole ttl, renewals come every third.
        log.warn(`${store.where}: could not renew the lock: ${describeError(error)}`);
      }
    });
  const timer = setInterval(() => void renew(), (timing.ttl * 1000) / 3);
  timer.unref();

  const releaseOnExit = () => {
    if (released || lost) return;
    released = true;
    try {
      store.releaseSync(version);
    } catch {
      // Exiting anyway: the lock expires after its ttl.
    }
  };
  exitOnSignals();
  process.on("exit", releaseOnExit);

  return {
    where: store.where,
    get record() {
      return record;
    },
    lostBecause: () => lost,
    release: () =>
      serial(async () => {
        clearInterval(timer);
        process.off("exit", releaseOnExit);
        if (released) return false;
        released = true;
        if (lost) return false;
        try {
          await store.release(version);
          return true;
        } catch (error) {
          log.warn(
            `${store.where}: could not remove the lock (${describeError(error)}); it expires at ${record.expiresAt.toISOString()}`,
          );
          return false;
        }
      }),
  };
}
