/**
 * The Helmfile target's lock, as the registry hands it to the pipeline: a ConfigMap in the
 * inventory namespace (the one namespace croncd already needs to write), per cluster access and name.
 */
import type { TargetLock } from "../../lock/target-lock.js";
import { contextNamespace } from "./inventory.js";
import { resolveKubeAccess } from "./kube-access.js";
import { createKubeLockStore } from "./lock-store.js";
import type { HelmfileTargetConfig } from "./schema.js";
import { createToolRunner, DEFAULT_TOOLS, type HelmfileTools } from "./tools.js";

export function helmfileLock(
  config: HelmfileTargetConfig,
  env: NodeJS.ProcessEnv,
  tools: Partial<HelmfileTools> = {},
): TargetLock {
  return {
    key: JSON.stringify([
      config.kube.kubeconfigEnv ?? "",
      config.kube.contextEnv ?? "",
      config.inventory.namespace ?? "",
      config.lock.name,
    ]),
    timing: config.lock,
    async open() {
      const access = resolveKubeAccess(config, env);
      const runner = createToolRunner({ ...DEFAULT_TOOLS, ...tools }, access);
      const timeoutMs = config.commandTimeout * 1000;
      const namespace =
        config.inventory.namespace ?? (await contextNamespace(runner, access.kubectlContextArgs, timeoutMs));
      return createKubeLockStore(runner, {
        namespace,
        name: config.lock.name,
        kubectlContextArgs: access.kubectlContextArgs,
        timeoutMs,
      });
    },
  };
}
