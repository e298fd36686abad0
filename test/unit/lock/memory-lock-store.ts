/**
 * A LockStore over one variable, with the same conditional writes the real stores make (create
 * only when free, replace or delete only the version read). Versions are numbers that never repeat.
 */
import type { LockRecord } from "../../../src/lock/record.js";
import type { LockStore, StoredLock } from "../../../src/lock/store.js";

export interface MemoryLockStore extends LockStore<number> {
  /** The lock as stored now, or undefined. */
  current: { record: LockRecord | undefined; version: number } | undefined;
  /** Every write, in order: `create 1`, `renew 1→2`, `delete 2`. */
  events: string[];
  /** Runs before each read: lets a test change the lock between a run's steps. */
  beforeRead?: () => void;
}

/** `events`: where writes are recorded (a test may share one list with other calls, for their order). */
export function memoryLockStore(events: string[] = []): MemoryLockStore {
  let versions = 0;
  const store: MemoryLockStore = {
    where: "memory lock",
    removeHint: "forget it",
    current: undefined,
    events,
    create(record) {
      if (store.current) return Promise.resolve(undefined);
      versions += 1;
      store.current = { record, version: versions };
      store.events.push(`create ${versions} by ${record.holder}`);
      return Promise.resolve(versions);
    },
    read(): Promise<StoredLock<number> | undefined> {
      store.beforeRead?.();
      return Promise.resolve(store.current ? { ...store.current } : undefined);
    },
    async takeOver(stale, record) {
      if (store.current && store.current.version !== stale) return undefined;
      if (store.current) store.events.push(`delete ${stale}`);
      store.current = undefined;
      return store.create(record);
    },
    renew(version, record) {
      if (store.current?.version !== version) return Promise.resolve(undefined);
      versions += 1;
      store.events.push(`renew ${version}→${versions}`);
      store.current = { record, version: versions };
      return Promise.resolve(versions);
    },
    release(version) {
      store.releaseSync(version);
      return Promise.resolve();
    },
    releaseSync(version) {
      if (store.current?.version !== version) return;
      store.events.push(`delete ${version}`);
      store.current = undefined;
    },
  };
  return store;
}
