// Runs the real helm (or kubectl) against a kubeconfig, with helm's cache, config and data folders in
// a private directory so a test never reads or writes the user's ~/.cache/helm or repositories.
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { execa } from "execa";
import { helmPath, kubectlPath } from "./tools.js";

export interface KubeCliOptions {
  kubeconfig: string;
  /** A private directory for helm's own files. */
  home: string;
  /**
   * Kills a run that takes longer (ms), so a test against a silent server fails on its own assertion
   * instead of at the test timeout. Default 60 s.
   */
  timeout?: number;
  /** Extra environment, e.g. HELM_DRIVER. */
  env?: Readonly<Record<string, string>>;
}

export interface KubeCliResult {
  exitCode: number | undefined;
  stdout: string;
  stderr: string;
  /** Whether the run was killed for taking longer than `timeout`. */
  timedOut: boolean;
}

export type KubeCli = (args: readonly string[]) => Promise<KubeCliResult>;

async function cli(file: () => string, options: KubeCliOptions): Promise<KubeCli> {
  await mkdir(options.home, { recursive: true });
  // Only what helm needs: a stray HELM_NAMESPACE or HELM_DRIVER on the machine must not change a test.
  const env = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    KUBECONFIG: options.kubeconfig,
    HOME: options.home,
    HELM_CACHE_HOME: path.join(options.home, "cache"),
    HELM_CONFIG_HOME: path.join(options.home, "config"),
    HELM_DATA_HOME: path.join(options.home, "data"),
    ...options.env,
  };
  return async (args) => {
    const result = await execa(file(), args, {
      env,
      extendEnv: false,
      reject: false,
      timeout: options.timeout ?? 60_000,
    });
    return {
      exitCode: result.exitCode,
      stdout: result.stdout,
      stderr: result.stderr,
      timedOut: result.timedOut,
    };
  };
}

export const helmCli = (options: KubeCliOptions): Promise<KubeCli> => cli(helmPath, options);
export const kubectlCli = (options: KubeCliOptions): Promise<KubeCli> => cli(kubectlPath, options);
