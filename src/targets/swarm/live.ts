/**
 * Reads the live state of a Swarm in two requests made side by side, whatever the number of
 * stacks: every service with its spec, update status and task count (`GET /services`), and every
 * task of the services the target owns (`GET /tasks`, filtered by croncd's target label, which
 * Swarm matches against the service's labels). The specs are as stored: unlike `docker service
 * inspect`, the list endpoint does not fill in defaults (update, rollback and restart policies,
 * stop grace period), none of which drift compares.
 */
import type { DockerCli } from "../../ports/docker.js";
import { TargetError } from "../../errors.js";
import { LABELS, STACK_NAMESPACE_LABEL } from "./labels.js";
import type { LiveStack, LiveTask, ServiceRuntime } from "./model.js";

/** A service as the Engine API returns it; only the parts croncd reads are typed. */
export interface InspectedService {
  ID: string;
  Spec: { Name: string; Labels?: Record<string, string> | null } & Record<string, unknown>;
  PreviousSpec?: Record<string, unknown>;
  UpdateStatus?: ServiceRuntime["updateStatus"];
  /** Only with `?status=true`. */
  ServiceStatus?: { RunningTasks?: number; DesiredTasks?: number; CompletedTasks?: number };
  UpdatedAt?: string;
  /** The service object's version: an update must name it, so a concurrent change is refused. */
  Version?: { Index?: number };
}

/** Every service of the Swarm (`GET /services`), in one call; with Swarm's task counts if asked. */
export async function readAllServices(
  docker: DockerCli,
  subject: string,
  signal?: AbortSignal,
  options: { status?: boolean } = {},
): Promise<InspectedService[]> {
  const apiPath = options.status ? "/services?status=true" : "/services";
  const services = await docker.getJson(apiPath, { subject, ...(signal ? { signal } : {}) });
  if (!Array.isArray(services) || !services.every(isService)) {
    throw new TargetError("the Docker API did not return a list of services for GET /services", { subject });
  }
  return services;
}

/** A task of `GET /tasks`; only the parts croncd reads are typed. */
interface ApiTask {
  ID: string;
  ServiceID: string;
  Slot?: number;
  NodeID?: string;
  DesiredState: string;
  Status: { State: string; Timestamp: string; Err?: string };
}

/** Every task, current and past, of the services croncd deployed for `target`: one call. */
export async function readTargetTasks(
  docker: DockerCli,
  target: string,
  subject: string,
  signal?: AbortSignal,
): Promise<LiveTask[]> {
  const filters = encodeURIComponent(JSON.stringify({ label: [`${LABELS.target}=${target}`] }));
  const tasks = await docker.getJson(`/tasks?filters=${filters}`, { subject, ...(signal ? { signal } : {}) });
  if (!Array.isArray(tasks) || !tasks.every(isTask)) {
    throw new TargetError("the Docker API did not return a list of tasks for GET /tasks", { subject });
  }
  return tasks.map((task) => ({
    id: task.ID,
    serviceId: task.ServiceID,
    ...(task.Slot ? { slot: task.Slot } : {}),
    ...(task.NodeID ? { nodeId: task.NodeID } : {}),
    state: task.Status.State,
    desiredState: task.DesiredState,
    timestamp: task.Status.Timestamp,
    ...(task.Status.Err ? { error: task.Status.Err } : {}),
  }));
}

/**
 * The stacks of the Swarm. With `target`, also how each service and its tasks are doing, for the
 * health check of the stacks that target owns.
 */
export async function readLiveStacks(
  docker: DockerCli,
  subject: string,
  signal?: AbortSignal,
  options: { target?: string } = {},
): Promise<Map<string, LiveStack>> {
  const withHealth = options.target !== undefined;
  const [services, tasks] = await Promise.all([
    readAllServices(docker, `${subject}: read services`, signal, { status: withHealth }),
    options.target === undefined
      ? undefined
      : readTargetTasks(docker, options.target, `${subject}: read tasks`, signal),
  ]);
  const observedAt = new Date();
  const stacks = new Map<string, LiveStack>();
  const stackOfService = new Map<string, LiveStack>();
  for (const service of services) {
    const labels = service.Spec.Labels ?? {};
    const stack = labels[STACK_NAMESPACE_LABEL];
    if (!stack) continue;
    const entry = stacks.get(stack) ?? {
      name: stack,
      services: [],
      ...(withHealth ? { tasks: [], observedAt } : {}),
    };
    entry.services.push({
      id: service.ID,
      name: service.Spec.Name,
      stack,
      labels,
      spec: service.Spec,
      ...(typeof service.Version?.Index === "number" ? { version: service.Version.Index } : {}),
      ...(withHealth ? { runtime: runtimeOf(service) } : {}),
    });
    stacks.set(stack, entry);
    stackOfService.set(service.ID, entry);
  }
  for (const task of tasks ?? []) stackOfService.get(task.serviceId)?.tasks?.push(task);
  return stacks;
}

function runtimeOf(service: InspectedService): ServiceRuntime {
  const status = service.ServiceStatus;
  return {
    ...(service.UpdateStatus ? { updateStatus: service.UpdateStatus } : {}),
    ...(service.PreviousSpec ? { previousSpec: service.PreviousSpec } : {}),
    ...(status && typeof status.RunningTasks === "number" && typeof status.DesiredTasks === "number"
      ? {
          counts: {
            running: status.RunningTasks,
            desired: status.DesiredTasks,
            completed: status.CompletedTasks ?? 0,
          },
        }
      : {}),
    ...(service.UpdatedAt ? { updatedAt: service.UpdatedAt } : {}),
  };
}

function isService(value: unknown): value is InspectedService {
  if (typeof value !== "object" || value === null) return false;
  const { ID, Spec } = value as Partial<InspectedService>;
  return typeof ID === "string" && typeof Spec === "object" && Spec !== null && typeof Spec.Name === "string";
}

function isTask(value: unknown): value is ApiTask {
  if (typeof value !== "object" || value === null) return false;
  const { ID, ServiceID, DesiredState, Status } = value as Partial<ApiTask>;
  return (
    typeof ID === "string" &&
    typeof ServiceID === "string" &&
    typeof DesiredState === "string" &&
    typeof Status === "object" &&
    Status !== null &&
    typeof Status.State === "string" &&
    typeof Status.Timestamp === "string"
  );
}
