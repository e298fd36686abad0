/**
 * The Swarm target: stacks of Compose files, deployed with `docker stack deploy`.
 * See README.md beside this file for the labels it keeps and the guards around pruning.
 */
import path from "node:path";
import type { SwarmTargetConfig } from "../../config/schema.js";
import { describeError } from "../../errors.js";
import type { ChangeSetEntry } from "../../model/changeset.js";
import { createDockerCli, type DockerCli } from "../../ports/docker.js";
import { plannedEntry } from "../planned-entry.js";
import type { RenderedItems, Target } from "../target.js";
import { deployStack, removeStack } from "./deploy.js";
import { resolveRepoFolder } from "../../compose/file-refs.js";
import { discoverStacks } from "./discover.js";
import { assertDockerCliVersion } from "./docker-version.js";
import { readLiveStacks } from "./live.js";
import type { DesiredStack } from "./model.js";
import { planStacks, type StackPlanItem } from "./plan.js";
import { waitForConvergence } from "./convergence.js";
import { removeOldRevisions } from "./object-revisions.js";
import { renderStack } from "./render.js";
import { StackSecrets } from "./stack-secrets.js";

export interface SwarmCheckout {
  /** Absolute folder of the source's checkout. */
  dir: string;
  url: string;
  commit: string;
}

export interface SwarmPlan {
  items: StackPlanItem[];
}

export interface SwarmTargetOptions {
  config: SwarmTargetConfig;
  checkout: SwarmCheckout;
  /** A private folder of the run's workspace, for decrypted files. */
  workDir: string;
  /** Called with every decrypted value as soon as it is known, so it is masked from then on. */
  onSecrets: (values: readonly string[]) => void;
  env?: NodeJS.ProcessEnv;
  docker?: DockerCli;
}

export type SwarmTarget = Target<DesiredStack, SwarmPlan>;

export function createSwarmTarget(options: SwarmTargetOptions): SwarmTarget {
  const { config, checkout } = options;
  const env = options.env ?? process.env;
  const docker = options.docker ?? createDockerCli(config.docker);
  const entry = (
    name: string,
    fields: Pick<ChangeSetEntry, "action" | "reason"> & Partial<ChangeSetEntry>,
  ) => ({
    kind: "stack",
    name,
    target: config.name,
    ...fields,
  });

  return {
    name: config.name,
    type: "swarm",

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
      for (const stack of discovery.stacks) {
        try {
          rendered.items.push(
            await renderStack(stack, {
              repoRoot: checkout.dir,
              targetName: config.name,
              sourceUrl: checkout.url,
              commit: checkout.commit,
              allowedEnv,
              secrets: new StackSecrets({
                env,
                plaintextDir: path.join(options.workDir, stack.name),
                onSecrets: options.onSecrets,
              }),
            }),
          );
        } catch (error) {
          rendered.failures.push(
            entry(stack.name, { action: "failed", reason: `render failed: ${describeError(error)}` }),
          );
        }
      }
      return rendered;
    },

    async plan(desired, planOptions) {
      await assertDockerCliVersion(docker, `target ${config.name}`);
      const live = await readLiveStacks(docker, `target ${config.name}`);
      return {
        items: planStacks({
          target: config,
          sourceUrl: checkout.url,
          desired: desired.items,
          declared: desired.declared,
          live,
          ...(planOptions.incompleteBecause ? { incompleteBecause: planOptions.incompleteBecause } : {}),
        }),
      };
    },

    async apply(plan) {
      const entries: ChangeSetEntry[] = [];
      for (const item of plan.items.filter((planned) => planned.desired)) {
        const desired = item.desired as DesiredStack;
        if (item.action !== "create" && item.action !== "update") {
          entries.push(plannedEntry(entry, item));
          continue;
        }
        entries.push(
          await attempt(
            entry,
            item.name,
            async () => {
              await deployStack(docker, desired, config);
              if (desired.revisionedObjects > 0)
                return settleRevisions(docker, desired.name, config.keepRevisions);
            },
            { action: item.action === "create" ? "created" : "configured", reason: item.reason },
          ),
        );
      }
      return entries;
    },

    async prune(plan) {
      const entries: ChangeSetEntry[] = [];
      for (const item of plan.items.filter((planned) => !planned.desired)) {
        if (item.action !== "delete") {
          entries.push(plannedEntry(entry, item));
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
  fields: Pick<ChangeSetEntry, "action" | "reason"> & Partial<ChangeSetEntry>,
) => ChangeSetEntry;

/**
 * Runs one docker verb for one stack, timed; a failure becomes that stack's entry, not a throw.
 * What `work` returns is added to the reason.
 */
async function attempt(
  entry: EntryMaker,
  name: string,
  work: () => Promise<string | undefined | void>,
  success: Pick<ChangeSetEntry, "action" | "reason">,
): Promise<ChangeSetEntry> {
  const started = Date.now();
  try {
    const note = await work();
    const reason = note ? `${success.reason}; ${note}` : success.reason;
    return entry(name, { ...success, reason, durationMs: Date.now() - started });
  } catch (error) {
    return entry(name, { action: "failed", reason: describeError(error), durationMs: Date.now() - started });
  }
}

/** How long a rollout may take before old config/secret revisions are left for a later run. */
export const REVISION_CLEANUP_WAIT_MS = 120_000;

/** After a deploy: once the rollout settled, remove the unused revisions beyond `keep`. */
async function settleRevisions(docker: DockerCli, stack: string, keep: number): Promise<string | undefined> {
  const state = await waitForConvergence(docker, stack, { timeoutMs: REVISION_CLEANUP_WAIT_MS });
  if (!state.converged) {
    return `old config/secret revisions kept: the rollout had not settled after ${REVISION_CLEANUP_WAIT_MS / 1000}s (${state.pending.join(", ")})`;
  }
  const removed = await removeOldRevisions(docker, stack, keep);
  return removed.length > 0 ? `removed unused ${removed.join(", ")}` : undefined;
}
