/**
 * Where a Helmfile target keeps its alert state: a ConfigMap `croncd-alerts-<target>` beside the
 * inventory (the tenant's namespace: a tenant role can write it), read and written with kubectl.
 * A replace carries the resourceVersion read, so a run that read an older state is refused rather
 * than overwriting a newer one. Deleting the ConfigMap makes croncd alert again on everything failing.
 */
import { stateFromFields, stateToFields } from "../../alerts/state-fields.js";
import type { AlertStateStore } from "../../alerts/state.js";
import { TargetError } from "../../errors.js";
import { INVENTORY_LABELS, contextNamespace } from "./inventory.js";
import { resolveKubeAccess } from "./kube-access.js";
import type { HelmfileTargetConfig } from "./schema.js";
import { createToolRunner, DEFAULT_TOOLS, type HelmfileTools } from "./tools.js";

/** The data key holding the state's fields as JSON (ConfigMap keys allow no `/`, item keys have one). */
const STATE_KEY = "state.json";

export const alertStateConfigMapName = (target: string): string =>
  `croncd-alerts-${target.replaceAll("_", "-").replaceAll(".", "-")}`;

export function createHelmfileAlertStateStore(
  config: Pick<HelmfileTargetConfig, "name" | "kube" | "inventory" | "commandTimeout">,
  env: NodeJS.ProcessEnv,
  tools: Partial<HelmfileTools> = {},
): AlertStateStore {
  const name = alertStateConfigMapName(config.name);
  const timeoutMs = config.commandTimeout * 1000;
  let where = `ConfigMap ${config.inventory.namespace ?? "(context namespace)"}/${name}`;
  let resourceVersion: string | undefined;

  const kubectl = async (args: string[], input?: string) => {
    const access = resolveKubeAccess(config, env);
    const runner = createToolRunner({ ...DEFAULT_TOOLS, ...tools }, access);
    const namespace =
      config.inventory.namespace ?? (await contextNamespace(runner, access.kubectlContextArgs, timeoutMs));
    where = `ConfigMap ${namespace}/${name}`;
    return runner.run("kubectl", [...access.kubectlContextArgs, "--namespace", namespace, ...args], {
      timeoutMs,
      label: `${args[0] ?? ""} configmap`,
      ...(input !== undefined ? { input } : {}),
    });
  };
  const failed = (verb: string, stderr: string) =>
    new TargetError(`could not ${verb} ${where}: ${stderr.trim().split(/\r?\n/).at(-1) ?? "no message"}`, {
      subject: `target ${config.name}: alert state`,
      hint: "the tenant's role needs get, create and update on configmaps in this namespace",
    });

  return {
    get where() {
      return where;
    },
    async read() {
      resourceVersion = undefined;
      const result = await kubectl(["get", "configmap", name, "--output", "json"]);
      if (result.exitCode !== 0) {
        if (/\(NotFound\)|not found/i.test(result.stderr)) return undefined;
        throw failed("read", result.stderr);
      }
      const object = JSON.parse(result.stdout) as {
        metadata?: { resourceVersion?: string };
        data?: Record<string, string>;
      };
      resourceVersion = object.metadata?.resourceVersion;
      let fields: Record<string, string> = {};
      try {
        fields = JSON.parse(object.data?.[STATE_KEY] ?? "{}") as Record<string, string>;
      } catch {
        // Unreadable: as if there were no state, so everything failing is alerted again.
      }
      return stateFromFields(fields);
    },
    async write(state) {
      const object = {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: {
          name,
          labels: { [INVENTORY_LABELS.managedBy]: "croncd", [INVENTORY_LABELS.target]: config.name },
          ...(resourceVersion ? { resourceVersion } : {}),
        },
        data: { [STATE_KEY]: JSON.stringify(stateToFields(state), null, 2) },
      };
      const verb = resourceVersion ? "replace" : "create";
      const result = await kubectl(
        [verb, "--validate=false", "--output", "json", "-f", "-"],
        JSON.stringify(object),
      );
      if (result.exitCode !== 0) throw failed(verb, result.stderr);
    },
  };
}
