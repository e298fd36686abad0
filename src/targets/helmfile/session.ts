/**
 * One helmfile run with decrypted values: a fresh private workspace (0700, removed on every way
 * out, and by the next run if this one is killed outright), the overlay of the checkout in it, and
 * what helmfile is called with. Plaintext exists on disk only while helmfile runs: each verb
 * (list, diff, apply) opens its own session and closes it when helmfile is done.
 */
import path from "node:path";
import { createWorkspace } from "../../pipeline/workspace.js";
import type { HelmfileInvocation } from "./helmfile-cli.js";
import type { KubeAccess } from "./kube-access.js";
import type { LocatedHelmfile } from "./locate.js";
import { buildOverlay, type Overlay } from "./overlay.js";
import type { HelmfileTargetConfig } from "./schema.js";
import type { ToolRunner } from "./tools.js";

export interface SessionOptions {
  config: HelmfileTargetConfig;
  checkout: string;
  located: LocatedHelmfile;
  access: KubeAccess;
  runner: ToolRunner;
  /** Where sops keys come from. */
  env: NodeJS.ProcessEnv;
  onSecrets: (values: readonly string[]) => void;
}

export async function withHelmfile<Result>(
  options: SessionOptions,
  work: (call: HelmfileInvocation, overlay: Overlay) => Promise<Result>,
): Promise<Result> {
  const workspace = await createWorkspace();
  try {
    const overlay = await buildOverlay({
      checkout: options.checkout,
      into: workspace.pathFor("helmfile-overlay"),
      decryptUnder: options.located.folder,
      env: options.env,
      onSecrets: options.onSecrets,
    });
    const call: HelmfileInvocation = {
      runner: options.runner,
      config: options.config,
      cwd: path.join(overlay.root, options.located.folder),
      file: path.relative(options.located.folder, options.located.relative),
      contextArgs: options.access.contextArgs,
    };
    return await work(call, overlay);
  } finally {
    await workspace.dispose();
  }
}
