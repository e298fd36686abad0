/**
 * Taking a lock: create it; if another run holds it, poll until it is released or expires, up to
 * `lock.wait`. An expired lock (its run was killed) is taken over through the store's conditional
 * writes, and every lock this run believes it got is read back to confirm the token is its own.
 */
import { randomUUID } from "node:crypto";
import { setTimeout as sleepFor } from "node:timers/promises";
import { TargetError } from "../errors.js";
import { exitOnSignals } from "../util/exit-on-signal.js";
import { holdLock, type LockHandle } from "./handle.js";
import { describeRecord, isExpired, newRecord, type LockRecord } from "./record.js";
import type { LockStore } from "./store.js";

export interface LockTiming {
  /** Seconds to wait for another run's lock. */
  wait: number;
  /** Seconds the lock lives without renewal. */
  ttl: number;
}

export interface AcquireOptions<Version> {
  store: LockStore<Version>;
  timing: LockTiming;
  holder: string;
  /** Said in the log: waiting, taking over, lost. */
  log: { info(line: string): void; warn(line: string): void; error(line: string): void };
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
  /** Longest pause between two looks at a busy lock. */
  pollMs?: number;
}

/** How often a busy lock is looked at, at most: short enough not to waste a CI minute. */
export const DEFAULT_POLL_MS = 2_000;

/** Another run held the lock for all of `lock.wait`. */
export class LockBusyError extends TargetError {
  constructor(
    readonly where: string,
    readonly record: LockRecord,
    waitedSeconds: number,
    removeHint: string,
  ) {
    super(
      `${where} is ${describeRecord(record)}; gave up after waiting ${waitedSeconds}s (lock.wait): nothing was applied or pruned`,
      {
        hint: `if that run is gone, its lock expires by itself at ${record.expiresAt.toISOString()}; to clear it now: ${removeHint}`,
      },
    );
  }
}

export async function acquireLock<Version>(options: AcquireOptions<Version>): Promise<LockHandle> {
  const { store, timing, holder, log } = options;
  const now = options.now ?? (() => new Date());
  const sleep = options.sleep ?? ((ms: number) => sleepFor(ms));
  const pollMs = options.pollMs ?? DEFAULT_POLL_MS;
  const token = randomUUID();
  const started = now();
  const deadline = started.getTime() + timing.wait * 1000;
  let announced: string | undefined;
  /** Times a create was refused and then nothing was there to read. */
  let vanished = 0;

  for (;;) {
    const record = newRecord(holder, token, now(), timing.ttl);
    const created = await store.create(record);
    if (created !== undefined) {
      const confirmed = await confirmReleasingOnExit(store, created, token);
      if (confirmed !== undefined) return holdLock({ store, version: confirmed, record, timing, log, now });
      continue;
    }
    const current = await store.read();
    if (!current) {
      // Released between our create and our read: try again, after a breath in case it happens
      // again and again (create refused, nothing to read), which only a broken store would do.
      vanished += 1;
      if (vanished > 3 && now().getTime() > deadline) {
        throw new TargetError(`${store.where}: could not be created, and no lock could be read`);
      }
      await sleep(Math.min(pollMs, 100));
      continue;
    }
    if (!current.record) {
      throw new TargetError(`${store.where} exists but is not a croncd lock`, {
        hint: `it was not made by croncd: remove it (${store.removeHint}) or set lock.name in croncd.yaml`,
      });
    }
    const busy = current.record;
    if (isExpired(busy, now())) {
      log.warn(
        `${store.where}: taking over the expired lock ${describeRecord(busy)}: that run stopped renewing it`,
      );
      const fresh = newRecord(holder, token, now(), timing.ttl);
      const taken = await store.takeOver(current.version, fresh);
      const confirmed = taken === undefined ? undefined : await confirmReleasingOnExit(store, taken, token);
      if (confirmed !== undefined)
        return holdLock({ store, version: confirmed, record: fresh, timing, log, now });
      // Another run took it over first: it is busy again.
      continue;
    }
    const left = deadline - now().getTime();
    if (left <= 0) {
      throw new LockBusyError(
        store.where,
        busy,
        Math.round((now().getTime() - started.getTime()) / 1000),
        store.removeHint,
      );
    }
    const description = describeRecord(busy);
    if (announced !== busy.token) {
      log.info(`${store.where} is ${description}: waiting for it, up to ${timing.wait}s (lock.wait)`);
      announced = busy.token;
    }
    // Look again when it may have expired, if that is sooner than the next poll.
    const untilExpiry = busy.expiresAt.getTime() - now().getTime() + 50;
    await sleep(Math.max(1, Math.min(pollMs, left, untilExpiry)));
  }
}

/**
 * Reads the lock just made back: our token there means we hold it (the version to renew and
 * release). A cancelled job (SIGTERM) exiting meanwhile removes it on the way out, as holdLock's
 * listener does from then on.
 */
async function confirmReleasingOnExit<Version>(
  store: LockStore<Version>,
  created: Version,
  token: string,
): Promise<Version | undefined> {
  const releaseOnExit = () => {
    try {
      store.releaseSync(created);
    } catch {
      // Exiting anyway: the lock expires after its ttl.
    }
  };
  exitOnSignals();
  process.on("exit", releaseOnExit);
  try {
    const stored = await store.read();
    return stored?.record?.token === token ? stored.version : undefined;
  } finally {
    process.off("exit", releaseOnExit);
  }
}
