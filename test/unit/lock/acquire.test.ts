// Taking, waiting for, taking over and renewing a lock, over an in-memory store with the real
// stores' conditional writes and a clock the test moves (no real waiting, no timing assertions).
import { afterEach, describe, expect, it, vi } from "vitest";
import { acquireLock, LockBusyError } from "../../../src/lock/acquire.js";
import { holderFromEnv } from "../../../src/lock/holder.js";
import { isExpired, newRecord } from "../../../src/lock/record.js";
import { memoryLockStore, type MemoryLockStore } from "./memory-lock-store.js";

const START = new Date("2026-12-05T06:00:00.000Z");

function setup(timing = { wait: 60, ttl: 30 }) {
  const store = memoryLockStore();
  let clock = START.getTime();
  const lines: string[] = [];
  const afterSleep: (() => void)[] = [];
  const options = {
    store,
    timing,
    holder: "https://ci.example/jobs/2",
    log: {
      info: (line: string) => lines.push(`info ${line}`),
      warn: (line: string) => lines.push(`warn ${line}`),
      error: (line: string) => lines.push(`error ${line}`),
    },
    now: () => new Date(clock),
    sleep: (ms: number) => {
      clock += ms;
      afterSleep.shift()?.();
      return Promise.resolve();
    },
  };
  const holdBy = (holder: string, store: MemoryLockStore, ttl = 30) => {
    store.current = { record: newRecord(holder, `token-${holder}`, new Date(clock), ttl), version: 100 };
  };
  return { store, options, lines, afterSleep, holdBy, advance: (ms: number) => (clock += ms) };
}

afterEach(() => {
  vi.useRealTimers();
});

describe("acquireLock", () => {
  it("creates a free lock with the holder and an expiry, and removes it on release", async () => {
    const { store, options } = setup();
    const handle = await acquireLock(options);
    expect(handle.record.holder).toBe("https://ci.example/jobs/2");
    expect(handle.record.acquiredAt).toEqual(START);
    expect(handle.record.expiresAt).toEqual(new Date(START.getTime() + 30_000));
    expect(store.current?.record?.token).toBe(handle.record.token);
    await handle.release();
    expect(store.current).toBeUndefined();
    expect(store.events).toEqual(["create 1 by https://ci.example/jobs/2", "delete 1"]);
  });

  it("waits while another run holds the lock, says so once, and takes it when released", async () => {
    const { store, options, lines, afterSleep, holdBy } = setup();
    holdBy("https://ci.example/jobs/1", store);
    afterSleep.push(
      () => undefined,
      () => {
        store.current = undefined;
      },
    );
    const handle = await acquireLock(options);
    expect(handle.record.holder).toBe("https://ci.example/jobs/2");
    const waiting = lines.filter((line) => line.includes("waiting"));
    expect(waiting).toEqual([
      "info memory lock is held by https://ci.example/jobs/1 since 2026-12-05T06:00:00.000Z (expires 2026-12-05T06:00:30.000Z unless renewed): waiting for it, up to 60s (lock.wait)",
    ]);
    await handle.release();
  });

  it("gives up after lock.wait, naming the holder, since when and until when, and leaves its lock alone", async () => {
    const { store, options, holdBy } = setup({ wait: 10, ttl: 300 });
    holdBy("https://ci.example/jobs/1", store, 300);
    const failure = await acquireLock(options).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(LockBusyError);
    const message = (failure as Error).message;
    expect(message).toContain(
      "memory lock is held by https://ci.example/jobs/1 since 2026-12-05T06:00:00.000Z (expires 2026-12-05T06:05:00.000Z unless renewed)",
    );
    expect(message).toContain("gave up after waiting 10s (lock.wait): nothing was applied or pruned");
    expect(message).toContain("expires by itself at 2026-12-05T06:05:00.000Z; to clear it now: forget it");
    expect(store.current?.record?.holder).toBe("https://ci.example/jobs/1");
    expect(store.events).toEqual([]);
  });

  it("fails at once with lock.wait 0", async () => {
    const { store, options, holdBy } = setup({ wait: 0, ttl: 30 });
    holdBy("https://ci.example/jobs/1", store);
    await expect(acquireLock(options)).rejects.toThrow(/gave up after waiting 0s/);
  });

  it("takes over a lock whose holder stopped renewing it, and says whose it was", async () => {
    const { store, options, lines, holdBy, advance } = setup();
    holdBy("https://ci.example/jobs/killed", store);
    advance(30_000);
    const handle = await acquireLock(options);
    expect(store.events).toEqual(["delete 100", "create 1 by https://ci.example/jobs/2"]);
    expect(handle.record.acquiredAt).toEqual(new Date(START.getTime() + 30_000));
    expect(
      lines.some((line) =>
        line.startsWith(
          "warn memory lock: taking over the expired lock held by https://ci.example/jobs/killed",
        ),
      ),
    ).toBe(true);
    await handle.release();
  });

  it("loses a takeover race without believing it holds the lock", async () => {
    const { store, options, holdBy, advance } = setup({ wait: 0, ttl: 30 });
    holdBy("https://ci.example/jobs/killed", store);
    advance(60_000);
    const originalTakeOver = store.takeOver.bind(store);
    store.takeOver = (stale, record) => {
      // Between this run's read of the stale lock and its takeover, another run took it over.
      if (store.current?.version === stale) {
        store.current = {
          record: newRecord("https://ci.example/jobs/3", "token-3", new Date(START.getTime() + 60_000), 30),
          version: 200,
        };
      }
      return originalTakeOver(stale, record);
    };
    await expect(acquireLock(options)).rejects.toThrow(/held by https:\/\/ci\.example\/jobs\/3/);
    expect(store.current?.record?.holder).toBe("https://ci.example/jobs/3");
  });

  it("tries again at once when the lock was released between its create and its read, even with lock.wait 0", async () => {
    const { store, options, holdBy } = setup({ wait: 0, ttl: 30 });
    holdBy("https://ci.example/jobs/1", store);
    store.beforeRead = () => {
      store.beforeRead = undefined;
      store.current = undefined;
    };
    const handle = await acquireLock(options);
    expect(store.current?.record?.holder).toBe("https://ci.example/jobs/2");
    await handle.release();
  });

  it("refuses an object of the lock's name that is not a croncd lock", async () => {
    const { store, options } = setup();
    store.current = { record: undefined, version: 7 };
    await expect(acquireLock(options)).rejects.toThrow(
      "memory lock exists but is not a croncd lock (it was not made by croncd: remove it (forget it) or set lock.name in croncd.yaml)",
    );
  });

  it("renews the expiry every third of the ttl, and notices when the lock was taken away", async () => {
    vi.useFakeTimers({ now: START });
    const { store, options } = setup({ wait: 0, ttl: 30 });
    const handle = await acquireLock({ ...options, now: () => new Date() });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(store.events).toEqual(["create 1 by https://ci.example/jobs/2", "renew 1→2"]);
    expect(handle.record.expiresAt).toEqual(new Date(START.getTime() + 40_000));
    expect(handle.lostBecause()).toBeUndefined();
    store.current = { record: newRecord("someone", "other", new Date(), 30), version: 50 };
    await vi.advanceTimersByTimeAsync(10_000);
    expect(handle.lostBecause()).toMatch(/removed or taken over by another run/);
    await handle.release();
    // Never removes a lock that is no longer its own.
    expect(store.current?.record?.holder).toBe("someone");
  });
});

describe("lock records and holders", () => {
  it("counts a lock as expired from its expiry on", () => {
    const record = newRecord("h", "t", START, 30);
    expect(isExpired(record, new Date(START.getTime() + 29_999))).toBe(false);
    expect(isExpired(record, new Date(START.getTime() + 30_000))).toBe(true);
  });

  it("names the holder by its CI job page, else by host and pid", () => {
    expect(holderFromEnv({ CI_JOB_URL: "https://gitlab.example/g/p/-/jobs/42" })).toBe(
      "https://gitlab.example/g/p/-/jobs/42",
    );
    expect(
      holderFromEnv({
        GITHUB_SERVER_URL: "https://github.com",
        GITHUB_REPOSITORY: "org/config",
        GITHUB_RUN_ID: "99",
        GITHUB_RUN_ATTEMPT: "2",
      }),
    ).toBe("https://github.com/org/config/actions/runs/99/attempts/2");
    expect(holderFromEnv({}, 1234)).toMatch(/^host \S+ pid 1234$/);
  });
});
