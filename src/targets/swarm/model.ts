/** Plain data the Swarm target computes before any side effect, and what it reads back. */
import type { StackOptions } from "./stack-options.js";
import type { StackObject } from "./swarm-objects.js";

export interface DesiredStack {
  name: string;
  /** Absolute folder of the stack: `docker stack deploy` runs there, so relative refs resolve. */
  dir: string;
  /** Compose file relative to the repository, for messages: `stacks/web/compose.yaml`. */
  composeFile: string;
  /** The rendered compose document with croncd's labels, before `$` escaping. */
  document: Record<string, unknown>;
  /**
   * What `docker stack deploy` receives on stdin: `document` with every `$` doubled, and the
   * objects croncd creates itself referred to as `external`.
   */
  yaml: string;
  /**
   * Hash of the desired state (without croncd's own labels); stored on every service. Secret
   * values enter it only as digests of their ciphertext, never as plaintext.
   */
  hash: string;
  options: StackOptions;
  serviceNames: string[];
  /** How many configs/secrets of the stack are named by content (and leave old revisions). */
  revisionedObjects: number;
  /** Configs/secrets croncd creates (sops files, from memory) or checks (fixed names) before deploying. */
  objects: StackObject[];
  warnings: string[];
}

export interface LiveService {
  id: string;
  /** Full service name: `<stack>_<service>`. */
  name: string;
  stack: string;
  labels: Record<string, string>;
  /** The service's spec as `docker service inspect` shows it (for drift and diffs). */
  spec: Record<string, unknown>;
}

export interface LiveStack {
  name: string;
  services: LiveService[];
}
