// The opt-in run against a real cluster: CRONCD_TEST_KUBECONFIG names a kubeconfig the person chose
// (a tenant's is enough), CRONCD_TEST_KUBE_NAMESPACE a namespace that already exists and that
// kubeconfig may write (a tenant cannot create one). Unset, no test touches any cluster.
import path from "node:path";
import { execa } from "execa";

export interface RealCluster {
  kubeconfig: string;
  namespace: string;
}

export const DEFAULT_REAL_NAMESPACE = "croncd-test";

export function realCluster(): RealCluster | undefined {
  const kubeconfig = process.env.CRONCD_TEST_KUBECONFIG;
  if (!kubeconfig) return undefined;
  return {
    kubeconfig: path.resolve(kubeconfig),
    namespace: process.env.CRONCD_TEST_KUBE_NAMESPACE || DEFAULT_REAL_NAMESPACE,
  };
}

/**
 * Runs a program found on PATH (the person's real helm, with their helm-diff plugin and helm
 * folders) against the chosen kubeconfig. Fails with the program's own message.
 */
export async function onRealCluster(
  cluster: RealCluster,
  file: string,
  args: readonly string[],
): Promise<string> {
  const result = await execa(file, args, {
    env: { KUBECONFIG: cluster.kubeconfig },
    reject: false,
    timeout: 120_000,
  });
  if (result.exitCode !== 0) throw new Error(`${file} ${args.join(" ")}: ${result.stderr}`);
  return result.stdout;
}

/**
 * For a suite that needs the stand-in's powers (a silent server, tenant grants, the readiness switch,
 * editing live objects) and so never runs on the real cluster: says so in its name when one is set,
 * so that no one reads its passing as a real-cluster result.
 */
export const standinOnlyNote = (): string =>
  realCluster()
    ? " (API stand-in and fake helmfile only: not run on the CRONCD_TEST_KUBECONFIG cluster)"
    : "";
