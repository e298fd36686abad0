/**
 * A target whose "cluster" is a Map in memory, registered as type `memory` for the pipeline's unit
 * tests: they run the real pipeline (real git checkouts, real prune guards) without Docker.
 * Git declares items as files `items/<name>` under the target's path; the file's text is the
 * item's desired value. A value of `broken` fails to render; `fail` fails to apply.
 */
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import type { AlertStateStore, TargetAlertState } from "../../../src/alerts/state.js";
import { changeEntry, type ChangeSetEntry } from "../../../src/model/changeset.js";
import { plannedEntry } from "../../../src/targets/planned-entry.js";
import { guardPrune } from "../../../src/targets/prune-guards.js";
import { registerTargetType } from "../../../src/targets/registry.js";
import type { DesiredItem, PlannedItem, RenderedItems, Target } from "../../../src/targets/target.js";
import { memoryLockStore } from "../lock/memory-lock-store.js";

export interface MemoryTargetConfig {
  name: string;
  type: "memory";
  source: string;
  path: string;
  prune: boolean;
  allowEmpty: boolean;
  maxPrune: number;
  env: string[];
  secretEnv: string[];
}

export interface LiveMemoryItem {
  value: string;
  /** The croncd target that made it; absent: made by someone else. */
  owner?: string;
}

/** The live system every memory target talks to, and what was done to it. */
const timeline: string[] = [];

export const memoryWorld = {
  live: new Map<string, LiveMemoryItem>(),
  /** Every item apply or prune touched, in order (`apply web`, `delete old`). */
  calls: [] as string[],
  /** The calls and the lock's writes together, in order (`create 1 by …`, `apply web`, `delete 1`). */
  timeline,
  /** The lock every memory target shares (one live system); `wait: 0`, so a held lock fails at once. */
  lock: memoryLockStore(timeline),
  /** Each target's alert state, as the target keeps it. */
  alertStates: new Map<string, TargetAlertState>(),
  /** Makes the alert state store fail on this verb (a state that cannot be read or written). */
  alertStoreFault: undefined as "read" | "write" | undefined,
  reset(): void {
    this.live.clear();
    this.calls.length = 0;
    this.timeline.length = 0;
    this.lock.current = undefined;
    this.alertStates.clear();
    this.alertStoreFault = undefined;
  },
};

/** Records a change to the live system. */
function touched(call: string): void {
  memoryWorld.calls.push(call);
  memoryWorld.timeline.push(call);
}

function memoryAlertStore(target: string): AlertStateStore {
  return {
    where: `memory alert state ${target}`,
    read() {
      if (memoryWorld.alertStoreFault === "read") return Promise.reject(new Error("read refused"));
      return Promise.resolve(structuredClone(memoryWorld.alertStates.get(target)));
    },
    write(state) {
      if (memoryWorld.alertStoreFault === "write") return Promise.reject(new Error("write refused"));
      memoryWorld.alertStates.set(target, structuredClone(state));
      return Promise.resolve();
    },
  };
}

interface DesiredMemoryItem extends DesiredItem {
  value: string;
  file: string;
}

/** `value`: git's value, on items git declares (apply takes those; prune the others). */
type MemoryPlanItem = PlannedItem & { value?: string };

export function memoryTargetConfig(
  name: string,
  fields: Partial<MemoryTargetConfig> = {},
): MemoryTargetConfig {
  return {
    name,
    type: "memory",
    source: "platform",
    path: name,
    prune: true,
    allowEmpty: false,
    maxPrune: 3,
    env: [],
    secretEnv: [],
    ...fields,
  };
}

registerTargetType<MemoryTargetConfig, LiveMemoryItem>("memory", {
  schema: undefined as never,
  itemKind: "release",
  liveStateKey: () => "memory",
  lock: () => ({
    key: "memory",
    timing: { wait: 0, ttl: 30 },
    open: () => Promise.resolve(memoryWorld.lock),
  }),
  alertState: (config) => memoryAlertStore(config.name),
  create: ({ config, checkout }): Target => {
    const subject = { kind: "release", target: config.name } as const;
    const target: Target<DesiredMemoryItem, { items: MemoryPlanItem[] }> = {
      name: config.name,
      type: "memory",
      itemKind: "release",
      async render() {
        const folder = path.join(checkout.dir, config.path, "items");
        const names = (await readdir(folder).catch(() => [])).sort();
        const rendered: RenderedItems<DesiredMemoryItem> = { items: [], declared: names, failures: [] };
        for (const name of names) {
          const file = path.join(config.path, "items", name);
          const value = (await readFile(path.join(checkout.dir, file), "utf8")).trim();
          if (value === "broken") {
            rendered.failures.push(
              changeEntry({ ...subject, name }, "failed", "render failed: broken on purpose"),
            );
          } else rendered.items.push({ name, value, file, warnings: [] });
        }
        return rendered;
      },
      declaredIn: (item) => item.file,
      writeRendered: () => Promise.resolve(),
      plan(desired, options) {
        const declared = new Set(desired.declared);
        const items: MemoryPlanItem[] = desired.items.map((item) => {
          const live = memoryWorld.live.get(item.name);
          if (!live) return { name: item.name, action: "create", reason: "new in git", value: item.value };
          if (live.value === item.value) {
            return { name: item.name, action: "unchanged", reason: "matches git", value: item.value };
          }
          return {
            name: item.name,
            action: "update",
            reason: "desired state changed",
            value: item.value,
            details: [`value: ${live.value} → ${item.value}`],
          };
        });
        const departed = [...memoryWorld.live]
          .filter(([name, live]) => !declared.has(name) && live.owner === config.name)
          .map(([name, live]) => ({ name, live }));
        const guarded = guardPrune({
          itemKind: "release",
          target: config,
          departed,
          desiredCount: desired.items.length,
          optOutSetting: "keep: true",
          ...(options.incompleteBecause ? { incompleteBecause: options.incompleteBecause } : {}),
        });
        return Promise.resolve({
          items: [...items, ...guarded.map(({ name, action, reason }) => ({ name, action, reason }))],
        });
      },
      apply(plan) {
        return Promise.resolve(
          plan.items
            .filter((item) => item.value !== undefined)
            .map((item): ChangeSetEntry => {
              if (item.action !== "create" && item.action !== "update") return plannedEntry(subject, item);
              touched(`apply ${item.name}`);
              if (item.value === "fail") {
                return changeEntry(
                  { ...subject, name: item.name },
                  "failed",
                  "apply failed: fail on purpose",
                );
              }
              memoryWorld.live.set(item.name, { value: item.value as string, owner: config.name });
              return plannedEntry(subject, item);
            }),
        );
      },
      prune(plan) {
        const left = plan.items.filter((item) => item.value === undefined);
        return Promise.resolve(
          left.map((item) => {
            if (item.action === "delete") {
              touched(`delete ${item.name}`);
              memoryWorld.live.delete(item.name);
            }
            return plannedEntry(subject, item);
          }),
        );
      },
    };
    return target;
  },
  pruneOne: (config, request) => {
    const live = memoryWorld.live.get(request.name);
    const subject = { kind: "release", name: request.name, target: config.name } as const;
    if (live?.owner !== config.name) {
      return Promise.resolve(changeEntry(subject, "failed", `refused: not owned by ${config.name}`));
    }
    if (request.dryRun) return Promise.resolve(changeEntry(subject, "skipped", "dry run: would remove it"));
    memoryWorld.live.delete(request.name);
    return Promise.resolve(changeEntry(subject, "deleted", "removed on request"));
  },
});
