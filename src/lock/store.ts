/**
 * Where a target keeps its lock: each target type implements this over its own object (a Swarm
 * config, a Kubernetes ConfigMap). Every write is conditional — create only when the name is free,
 * replace or delete only the version read — so two runs can never both believe they hold it.
 */
import type { LockRecord } from "./record.js";

/** The stored lock as last read: its record, and what identifies this exact version of it. */
export interface StoredLock<Version> {
  /** undefined: an object of the lock's name that is not a croncd lock (made by hand). */
  record: LockRecord | undefined;
  version: Version;
}

export interface LockStore<Version = unknown> {
  /** For messages: `Swarm config croncd-lock`, `ConfigMap team-a/croncd-lock`. */
  readonly where: string;
  /** How to remove it by hand, for the hint of a lock that blocks. */
  readonly removeHint: string;
  /** Creates the lock; undefined when an object of its name exists already. */
  create(record: LockRecord): Promise<Version | undefined>;
  /** The lock as it is now; undefined when there is none. */
  read(): Promise<StoredLock<Version> | undefined>;
  /**
   * Replaces an expired lock, but only the very version read: undefined when someone else changed
   * or removed it first (they won; read again).
   */
  takeOver(stale: Version, record: LockRecord): Promise<Version | undefined>;
  /** Writes a later expiry over our own version; undefined when our lock is no longer there as we left it. */
  renew(version: Version, record: LockRecord): Promise<Version | undefined>;
  /** Removes our lock, only if it is still the version we hold. */
  release(version: Version): Promise<void>;
  /** The same, synchronously: for the process's `exit` listener (SIGTERM, SIGINT), where awaiting is impossible. */
  releaseSync(version: Version): void;
}
