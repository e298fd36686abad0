/**
 * What to do instead, for keys the Compose specification (docker compose) has and docker stack
 * deploy refuses. docker/cli names some of them "forbidden properties" with its own advice; the
 * rest are simply not in its schema.
 */

const RESOURCES = "set resource limits and reservations under deploy.resources";

export const INSTEAD_OF: Readonly<Record<string, string>> = {
  profiles:
    "every service of the stack is deployed: remove profiles, or move optional services to a stack folder of their own",
  platform:
    "Swarm picks the image's platform on each node: remove it, or pin nodes with deploy.placement.constraints (node.platform.arch, node.platform.os)",
  runtime: "Swarm services cannot choose a container runtime: remove it",
  extends: "share settings with an x- field and YAML anchors (<<: *defaults) instead",
  volumes_from:
    "to share a volume between services, declare it under the top-level volumes: and mount it in each service",
  volume_driver: "declare the volume under the top-level volumes: with its driver",
  scale: "use deploy.replicas",
  pull_policy: "images are resolved at deploy time (croncd's resolveImage option): remove it",
  cpu_quota: RESOURCES,
  cpu_shares: RESOURCES,
  cpu_period: RESOURCES,
  cpu_count: RESOURCES,
  cpu_percent: RESOURCES,
  cpu_rt_period: RESOURCES,
  cpu_rt_runtime: RESOURCES,
  cpus: RESOURCES,
  cpuset: RESOURCES,
  mem_limit: RESOURCES,
  mem_reservation: RESOURCES,
  memswap_limit: RESOURCES,
  mem_swappiness: "Swarm services cannot set it: remove it",
  pids_limit: "use deploy.resources.limits.pids",
};
