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
  /** The service object's version (`Version.Index`), which `POST /services/{id}/update` names. */
  version?: number;
  /** How the service is doing, for the health check; absent when not read. */
  runtime?: ServiceRuntime;
}

/** The parts of a service (`GET /services?status=true`) that say how its rollout and tasks are doing. */
export interface ServiceRuntime {
  updateStatus?: { State?: string; Message?: string; StartedAt?: string; CompletedAt?: string };
  previousSpec?: Record<string, unknown>;
  /** Swarm's own count (`ServiceStatus`); absent from daemons before API 1.41. */
  counts?: { running: number; desired: number; completed: number };
  /** When the service object last changed (a spec update, or Swarm's updater writing its status). */
  updatedAt?: string;
}

/** A task as `GET /tasks` returns it, reduced to what the health check reads. */
export interface LiveTask {
  id: string;
  serviceId: string;
  /** Replicated services: the slot number; global services and jobs: 0 or absent, see nodeId. */
  slot?: number;
  nodeId?: string;
  /** `running`, `failed`, `rejected`, `complete`, `pending`… */
  state: string;
  desiredState: string;
  /** When the task entered `state` (the daemon's clock, RFC 3339). */
  timestamp: string;
  /** The daemon's own error (`task: non-zero exit (1)`, `No such image: …`). */
  error?: string;
}

export interface LiveStack {
  name: string;
  services: LiveService[];
  /** Every task of the stack's services, when read (the health check needs them). */
  tasks?: LiveTask[];
  /** When the tasks were read: their ages are measured against this. */
  observedAt?: Date;
}
