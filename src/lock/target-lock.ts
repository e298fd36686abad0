/** What a target type gives the pipeline to lock its live system (see TargetType.lock in registry.ts). */
import type { LockTiming } from "./acquire.js";
import type { LockStore } from "./store.js";

export interface TargetLock {
  /** Targets whose keys are equal use the same lock object: one run takes it once for all of them. */
  key: string;
  timing: LockTiming;
  /** Where the lock lives; may need the live system (a kube context's namespace). */
  open: () => Promise<LockStore<unknown>>;
}
