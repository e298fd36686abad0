/**
 * The Swarm target: stacks of Compose files, deployed with `docker stack deploy`.
 * See README.md beside this file for the labels it keeps and the guards around pruning.
 */
import { describeError, locationOf } from "../../errors.js";
import { changeEntry, type ChangeSetEntry, type EntryExtras } from "../../model/changeset.js";
import { createDockerCli, type DockerCli } from "../../ports/docker.js";
import { plannedEntry } from "../planned-entry.js";
import type { RenderedItems, Target, TargetContext } from "../target.js";
import type { SwarmTargetConfig } from "./config.js";
import { removeStack } from "./deploy.js";
import { resolveRepoFolder } from "../../compose/file-refs.js";
import { discoverStacks } from "./discover.js";
import { assertDockerCliVersion } from "./docker-version.js";
import { readLiveStacks } from "./live.js";
import type { DesiredStack, LiveStack } from "./model.js";
import { followsTags, planStacks, type StackPlanItem } from "./plan.js";
import { taggedImages } from "./moved-tags.js";
import { explainPullFailure } from "./pull-failure.js";
import { tagDigestLookup, type TagLookup } from "../../registry/tag-digests.js";
import { runScheduled, type Job } from "../../pipeline/schedule.js";
import { mapConcurrently } from "../../util/map-concurrently.js";
import { deliverStack } from "./deliver-stack.js";
import { formatChanges } from "./drift.js";
import { renderStack } from "./render.js";
import { StackSecrets } from "./stack-secrets.js";
import { watchConverging } from "./watch-converging.js";
import { writeRenderedStack } from "./write-rendered.js";

export interface SwarmPlan {
  items: StackPlanItem[];
}

export interface SwarmTargetOptions extends TargetContext<SwarmTargetConfig, LiveStack> {
  docker?: DockerCli;
}

export type LiveState = Map<string, LiveStack>;

/** Stacks rendered side by side. */
export const RENDER_CONCURRENCY = 8;

/**
 * What `plan` compares git with: the target's stacks as they run, after checking the docker CLI
 * can deploy at all. Needs only the target's docker endpoint, so a run starts it before cloning
 * and rendering, which take about as long.
 */
export async function readTargetLiveState(
  config: SwarmTargetConfig,
  docker: DockerCli = createDockerCli(config.docker),
  signal?: AbortSignal,
): Promise<LiveState> {
  const subject = `target ${config.name}`;
  const [, live] = await Promise.all([
    assertDockerCliVersion(docker, subject),
    readLiveStacks(docker, subject, signal, { target: config.name }),
  ]);
  return live;
}

export type SwarmTarget = Target<DesiredStack, SwarmPlan>;

export function createSwarmTarget(options: SwarmTargetOptions): SwarmTarget {
  const { config, checkout } = options;
  const env = options.env ?? process.env;
  const docker = options.docker ?? createDockerCli(config.docker);
  const entry = (
    name: string,
    fields: Pick<ChangeSetEntry, "action" | "reason"> & EntryExtras,
  ): ChangeSetEntry =>
    changeEntry({ kind: "stack", name, target: config.name }, fields.action, fields.reason, fields);
  const subject = { kind: "stack", target: config.name } as const;

  const lookUpTags = tagDigestLookup({ env, onSecrets: options.onSecrets });
  /**
   * Moving tags: the images of stacks that follow tags and already run (a new stack is deployed
   * anyway), each asked of its registry once. Undefined, and no request at all, when none follows.
   */
  const lookUpFollowedTags = async (
    stacks: readonly DesiredStack[],
    live: LiveState,
  ): Promise<Map<string, TagLookup> | undefined> => {
    const following = stacks.filter((stack) => followsTags(stack, config) && live.has(stack.name));
    if (following.length === 0) return undefined;
    return lookUpTags(following.flatMap(taggedImages));
  };
  /**
   * A stack that follows tags is always deployed with `--resolve-image always`: that is what makes
   * docker ask the registry for the tag's digest anew and record it in the service spec.
   */
  const deployConfig = (desired: DesiredStack): SwarmTargetConfig =>
    followsTags(desired, config) ? { ...config, resolveImage: "always" } : config;

  const explainPull = (reason: string): Promise<string> =>
    explainPullFailure(reason, async (image) => (await lookUpTags([image])).get(image));

  return {
    name: config.name,
    type: "swarm",
    itemKind: "stack",

    declaredIn: (stack) => stack.composeFile,

    writeRendered: writeRenderedStack,

    async render(): Promise<RenderedItems<DesiredStack>> {
      const stacksRoot = await resolveRepoFolder(checkout.dir, config.path);
      const discovery = await discoverStacks(stacksRoot, config.path);
      const allowedEnv = Object.fromEntries(
        [...config.env, ...config.secretEnv].flatMap((name) =>
          env[name] === undefined ? [] : [[name, env[name]]],
        ),
      ) as Record<string, string>;
      const rendered: RenderedItems<DesiredStack> = {
        items: [],
        declared: [...discovery.stacks, ...discovery.invalid].map((stack) => stack.name),
        failures: discovery.invalid.map(({ name, error }) =>
          entry(name, { action: "failed", reason: `render failed: ${describeError(error)}` }),
        ),
      };
      // Rendering mostly waits for files: a few stacks at a time hide those waits. Results keep
      // the folders' order, so logs and reports read the same on every run.
      const outcomes = await mapConcurrently(
        discovery.stacks,
        RENDER_CONCURRENCY,
        async (stack): Promise<{ desired: DesiredStack } | { failure: ChangeSetEntry }> => {
          try {
            const desired = await renderStack(stack, {
              repoRoot: checkout.dir,
              targetName: config.name,
              sourceUrl: checkout.url,
              commit: checkout.commit,
              allowedEnv,
              secretEnvNames: config.secretEnv,
              ...(env.CRONCD_HASH_KEY ? { hashKey: env.CRONCD_HASH_KEY } : {}),
              secrets: new StackSecrets({ env, onSecrets: options.onSecrets }),
              ...(config.policy ? { policy: config.policy } : {}),
            });
            return { desired };
          } catch (error) {
            const reason = `render failed: ${describeError(error)}`;
            const location = locationOf(error);
            return {
              failure: entry(stack.name, { action: "failed", reason, ...(location ? { location } : {}) }),
            };
          }
        },
      );
      for (const outcome of outcomes) {
        if ("failure" in outcome) rendered.failures.push(outcome.failure);
        else rendered.items.push(outcome.desired);
      }
      return rendered;
    },

    async plan(desired, planOptions) {
      const live = await (options.earlyLive?.() ?? readTargetLiveState(config, docker));
      const tagLookups = await lookUpFollowedTags(desired.items, live);
      const items = planStacks({
        target: config,
        sourceUrl: checkout.url,
        desired: desired.items,
        declared: desired.declared,
        live,
        ...(tagLookups ? { tagLookups } : {}),
        ...(planOptions.incompleteBecause ? { incompleteBecause: planOptions.incompleteBecause } : {}),
      });
      // Each item carries its differences as lines a person reads: reports stay target-neutral.
      return { items: items.map((item) => ({ ...item, ...describedChanges(item) })) };
    },

    async apply(plan, applyOptions) {
      const items = plan.items.filter((planned) => planned.desired);
      const settled = new Map<string, ChangeSetEntry>();
      const jobs: Job<ChangeSetEntry>[] = [];
      for (const item of items) {
        const desired = item.desired as DesiredStack;
        const make = (fields: Pick<ChangeSetEntry, "action" | "reason"> & Partial<ChangeSetEntry>) =>
          entry(item.name, { ...describedChanges(item), ...fields });
        if (item.action === "converging") {
          jobs.push({
            name: item.name,
            dependsOn: desired.options.dependsOn,
            run: async () => make(await watchConverging(docker, desired, item.reason)),
          });
        } else if (item.action !== "create" && item.action !== "update") {
          settled.set(item.name, plannedEntry(subject, item));
        } else if (item.drift && !applyOptions.heal) {
          settled.set(
            item.name,
            make({ action: "skipped", reason: `${item.reason}; not healed (--no-heal)` }),
          );
        } else {
          const planned = {
            action: item.action,
            reason: item.reason,
            ...(item.changes ? { changes: item.changes } : {}),
            ...(item.live ? { live: item.live } : {}),
          };
          jobs.push({
            name: item.name,
            dependsOn: desired.options.dependsOn,
            run: async () =>
              make(await deliverStack(docker, desired, planned, deployConfig(desired), explainPull)),
          });
        }
      }
      const results = await runScheduled(jobs, {
        parallelism: config.parallelism,
        settled,
        succeeded: (result) => result.action !== "failed",
        blocked: (job, dependency) =>
          entry(job.name, {
            action: "failed",
            reason: `not deployed: it depends on ${dependency}, which is not healthy`,
          }),
      });
      return items.map((item) => results.get(item.name) as ChangeSetEntry);
    },

    async prune(plan) {
      const entries: ChangeSetEntry[] = [];
      for (const item of plan.items.filter((planned) => !planned.desired)) {
        if (item.action !== "delete") {
          entries.push(plannedEntry(subject, item));
          continue;
        }
        entries.push(
          await attempt(entry, item.name, () => removeStack(docker, item.name), {
            action: "deleted",
            reason: item.reason,
          }),
        );
      }
      return entries;
    },
  };
}

type EntryMaker = (
  name: string,
  fields: Pick<ChangeSetEntry, "action" | "reason"> & EntryExtras,
) => ChangeSetEntry;

/** Runs one docker verb for one stack, timed; a failure becomes that stack's entry, not a throw. */
async function attempt(
  entry: EntryMaker,
  name: string,
  work: () => Promise<void>,
  success: Pick<ChangeSetEntry, "action" | "reason">,
): Promise<ChangeSetEntry> {
  const started = Date.now();
  try {
    await work();
    return entry(name, { ...success, durationMs: Date.now() - started });
  } catch (error) {
    return entry(name, { action: "failed", reason: describeError(error), durationMs: Date.now() - started });
  }
}

/** The drift flag and the field-by-field differences of a plan item, as entry fields. */
function describedChanges(item: StackPlanItem): EntryExtras {
  return {
    ...(item.drift ? { drift: true } : {}),
    ...(item.changes && item.changes.length > 0 ? { details: formatChanges(item.changes) } : {}),
  };
}
