/**
 * What a lock says about its holder, and when it counts as abandoned. Pure: the stores
 * (src/targets/<type>/lock-store.ts) keep these fields in labels or data, the clock is given.
 *
 * Expiry is compared with the reading run's own clock: runners' clocks must agree to within a small
 * part of the ttl (NTP, as every CI runner has), or a live lock could look expired to a runner
 * whose clock runs ahead.
 */

export interface LockRecord {
  /** Who holds it, for a person: a CI job URL, or `host NAME pid N`. */
  holder: string;
  /** Random per acquisition: tells this run's lock from any other, even one with the same holder text. */
  token: string;
  acquiredAt: Date;
  expiresAt: Date;
}

export function newRecord(holder: string, token: string, now: Date, ttlSeconds: number): LockRecord {
  return { holder, token, acquiredAt: now, expiresAt: expiryFrom(now, ttlSeconds) };
}

/** The same lock, living `ttlSeconds` from now. */
export function renewedRecord(record: LockRecord, now: Date, ttlSeconds: number): LockRecord {
  return { ...record, expiresAt: expiryFrom(now, ttlSeconds) };
}

export function isExpired(record: LockRecord, now: Date): boolean {
  return record.expiresAt.getTime() <= now.getTime();
}

/** `held by https://ci/jobs/7 since 2026-12-05T06:00:00.000Z (expires 2026-12-05T06:05:00.000Z)` */
export function describeRecord(record: LockRecord): string {
  return `held by ${record.holder} since ${record.acquiredAt.toISOString()} (expires ${record.expiresAt.toISOString()} unless renewed)`;
}

/** The record as plain strings, for labels (Swarm) or data (ConfigMap). */
export function recordFields(record: LockRecord): Record<keyof LockRecord, string> {
  return {
    holder: record.holder,
    token: record.token,
    acquiredAt: record.acquiredAt.toISOString(),
    expiresAt: record.expiresAt.toISOString(),
  };
}

/** The record from stored strings; undefined when any is missing or unreadable (not croncd's lock). */
export function parseRecordFields(fields: Partial<Record<keyof LockRecord, string>>): LockRecord | undefined {
  const { holder, token } = fields;
  const acquiredAt = new Date(fields.acquiredAt ?? "");
  const expiresAt = new Date(fields.expiresAt ?? "");
  if (!holder || !token || Number.isNaN(acquiredAt.getTime()) || Number.isNaN(expiresAt.getTime())) {
    return undefined;
  }
  return { holder, token, acquiredAt, expiresAt };
}

function expiryFrom(now: Date, ttlSeconds: number): Date {
  return new Date(now.getTime() + ttlSeconds * 1000);
}
