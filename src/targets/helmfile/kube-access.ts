/**
 * How helmfile, helm and kubectl reach the tenant's cluster: the kubeconfig and context the CI job
 * provides in the variables croncd.yaml names. A named variable that is not set is an error before
 * anything runs: falling back to the runner's own ~/.kube/config could deploy to the wrong cluster.
 */
import { TargetError } from "../../errors.js";
import type { HelmfileTargetConfig } from "./schema.js";

export interface KubeAccess {
  /** Environment for every child: KUBECONFIG when the config names its variable. */
  env: Record<string, string>;
  /** helmfile's and helm's `--kube-context NAME` when the config names its variable, else nothing. */
  contextArgs: string[];
  /** The same for kubectl, which spells it `--context`. */
  kubectlContextArgs: string[];
}

export function resolveKubeAccess(
  config: Pick<HelmfileTargetConfig, "name" | "kube">,
  env: NodeJS.ProcessEnv,
): KubeAccess {
  const read = (variable: string | undefined, what: string): string | undefined => {
    if (!variable) return undefined;
    const value = env[variable];
    if (value === undefined || value === "") {
      throw new TargetError(`the ${what} variable ${variable} is not set`, {
        subject: `target ${config.name}`,
        hint: `set ${variable} in the CI job, or remove kube.${what === "kubeconfig" ? "kubeconfigEnv" : "contextEnv"} from croncd.yaml`,
      });
    }
    return value;
  };
  const kubeconfig = read(config.kube.kubeconfigEnv, "kubeconfig");
  const context = read(config.kube.contextEnv, "kube context");
  return {
    env: kubeconfig ? { KUBECONFIG: kubeconfig } : {},
    contextArgs: context ? ["--kube-context", context] : [],
    kubectlContextArgs: context ? ["--context", context] : [],
  };
}
