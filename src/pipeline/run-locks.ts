/**
 * The locks one run holds in the live systems it changes. A target's lock is taken the first time
 * the run is about to change that target; targets on the same live system (equal lock keys) share
 * it, so a run takes each lock once and keeps it until it ends. A lock the run could not get is not
 * tried again for the next target on the same system: that target fails with the same reason.
 */
import type { TargetConfig } from "../config/schema.js";
import { TargetError } from "../errors.js";
import { acquireLock } from "../lock/acquire.js";
import type { LockHandle } from "../lock/handle.js";
import { holderFromEnv } from "../lock/holder.js";
import type { Logger } from "../report/logger.js";
import { targetTypeOf } from "../targets/registry.js";

export interface RunLocksOptions {
  env: NodeJS.ProcessEnv;
  log: Logger;
}

export class RunLocks {
  private readonly taken = new Map<string, Promise<LockHandle>>();
  private readonly holder: string;

  constructor(private readonly options: RunLocksOptions) {
    this.holder = holderFromEnv(options.env);
  }

  /**
   * Holds the target's lock. Resolves true when this call took it (the live system may have
   * changed since the target was planned: plan again), false when the run already held it or the
   * target type has none. Throws when it cannot be had (another run kept it for all of lock.wait).
   */
  async hold(config: TargetConfig): Promise<boolean> {
    const lock = targetTypeOf(config).lock?.(config, this.options.env);
    if (!lock) return false;
    const key = `${config.type}:${lock.key}`;
    const earlier = this.taken.get(key);
    if (earlier) {
      const handle = await earlier;
      const lost = handle.lostBecause();
      if (lost) throw new TargetError(lost, { subject: `target ${config.name}` });
      return false;
    }
    const taking = lock
      .open()
      .then((store) =>
        acquireLock({ store, timing: lock.timing, holder: this.holder, log: this.options.log }),
      );
    this.taken.set(key, taking);
    const handle = await taking;
    this.options.log.info(`${handle.where}: lock taken for this run (${this.holder})`);
    return true;
  }

  /** Releases every lock taken; never throws (a lock that stays expires after its ttl). */
  async releaseAll(): Promise<void> {
    const handles = await Promise.allSettled(this.taken.values());
    this.taken.clear();
    for (const settled of handles) {
      if (settled.status !== "fulfilled") continue;
      if (await settled.value.release()) this.options.log.info(`${settled.value.where}: lock released`);
    }
  }
}
