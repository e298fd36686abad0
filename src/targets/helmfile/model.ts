import type { Suspension } from "../../model/suspension.js";

/** Plain data the Helmfile target passes between its stages. */

/** A release as `helmfile list --output json` declares it. */
export interface DeclaredRelease {
  name: string;
  namespace: string;
  /** false: git says uninstall it (`installed: false`). */
  installed: boolean;
  chart: string;
  version: string;
  labels: Record<string, string>;
}

/** A rendered release: what git declares, and a hash of the inputs that made it. */
export interface DesiredRelease {
  /** `namespace/name`: how reports and the CLI name it (releases are only unique per namespace). */
  name: string;
  release: DeclaredRelease;
  /** SHA-256 of the release entry, its values files (ciphertext for sops) and a local chart's files. */
  hash: string;
  warnings: string[];
}

/** One release croncd applied for a target, as kept in the inventory ConfigMap. */
export interface InventoryEntry {
  name: string;
  namespace: string;
  chart: string;
  desiredHash: string;
  /** The release opted out of pruning (helmfile label `croncd-prune: "false"` when last applied). */
  prune?: false;
  /** Set by `croncd suspend --release`: croncd leaves the release alone until `croncd resume`. */
  suspended?: Suspension;
}

/** The helmfile release label that keeps a release from being pruned when it leaves git. */
export const PRUNE_LABEL = "croncd-prune";

/**
 * The helmfile release label that suspends a release from git (`croncd-suspend: "true"`), as
 * `x-croncd.suspend` does for a stack; `croncd-suspend-reason` says why.
 */
export const SUSPEND_LABEL = "croncd-suspend";
export const SUSPEND_REASON_LABEL = "croncd-suspend-reason";

export const releaseKey = (release: { name: string; namespace: string }): string =>
  `${release.namespace}/${release.name}`;

/** `namespace/name` back into its parts (a namespace holds no `/`). */
export function parseReleaseKey(key: string): { name: string; namespace: string } {
  const slash = key.indexOf("/");
  return { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}
