/**
 * Service keys docker stack deploy reads and then ignores, printing "Ignoring unsupported
 * options" (or "deprecated options") that nobody sees in a CI log. croncd reports them as
 * warnings, with what Swarm does instead. The list is docker/cli's (cli/compose/types).
 */

const IGNORED: Readonly<Record<string, string>> = {
  build: "Swarm runs image:, build it in CI",
  cgroupns_mode: "Swarm services cannot set it",
  cgroup_parent: "Swarm services cannot set it",
  devices: "Swarm services cannot map devices",
  domainname: "Swarm services cannot set it",
  external_links: "reach other services by name on a shared network",
  ipc: "Swarm services cannot set it",
  links: "services on the same network reach each other by service name",
  mac_address: "Swarm services cannot set it",
  network_mode: "use networks:",
  pid: "Swarm services cannot set it",
  privileged: "Swarm services cannot run privileged",
  restart: "use deploy.restart_policy",
  security_opt: "Swarm services cannot set it",
  shm_size: "mount a tmpfs at /dev/shm instead",
  userns_mode: "Swarm services cannot set it",
  container_name: "Swarm names containers itself",
  expose: "services on a shared network reach each other on any port",
};

/** One warning per ignored key, naming the services that set it. */
export function ignoredOptionWarnings(services: Record<string, unknown>): string[] {
  const users = new Map<string, string[]>();
  for (const [name, service] of Object.entries(services)) {
    if (typeof service !== "object" || service === null) continue;
    for (const key of Object.keys(service)) {
      if (!Object.hasOwn(IGNORED, key)) continue;
      users.set(key, [...(users.get(key) ?? []), name]);
    }
  }
  return [...users].map(
    ([key, names]) =>
      `docker stack deploy ignores ${key} (services ${names.join(", ")}): ${IGNORED[key] ?? ""}`,
  );
}
