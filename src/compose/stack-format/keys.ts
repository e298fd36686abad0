/**
 * The keys `docker stack deploy` accepts, and the Compose file format 3.x minor version that
 * introduced each one (a number n means "3.n"). Written from docker/cli's stack loader
 * (cli/compose/schema, versions 3.0 to 3.13): every key ever added is still accepted by later
 * versions, so one table with a "since" per key describes them all.
 *
 * Only mappings docker checks key by key are described; values (types, formats) are left to the
 * Compose specification's schema, plus the few places docker is narrower (./narrower-values.ts).
 */

export interface MappingRule {
  keys: Readonly<Record<string, KeyRule>>;
  /** From this minor version on, `x-` keys are allowed here; never when absent. */
  extensionsSince?: number;
  /** From this minor version on, docker accepts (and ignores) any other key too. */
  openSince?: number;
}

export interface KeyRule {
  since: number;
  /** When the value is a mapping, the rule for its keys. */
  mapping?: MappingRule;
  /** When the value is a list, the rule for its items that are mappings (long syntax). */
  eachItem?: MappingRule;
  /** When the value is a mapping of names (`networks: {front: ...}`), the rule for each value. */
  eachValue?: MappingRule;
}

function since(version: number, more: Omit<KeyRule, "since"> = {}): KeyRule {
  return { since: version, ...more };
}

/** Keys available from 3.0 on, with no structure of their own checked here. */
function always(...names: string[]): Record<string, KeyRule> {
  return Object.fromEntries(names.map((name) => [name, since(0)]));
}

const deploy: MappingRule = {
  keys: {
    ...always("mode", "replicas", "labels"),
    endpoint_mode: since(2),
    update_config: since(0, {
      mapping: {
        keys: {
          ...always("parallelism", "delay", "failure_action", "monitor", "max_failure_ratio"),
          order: since(4),
        },
      },
    }),
    rollback_config: since(7, {
      mapping: {
        keys: Object.fromEntries(
          ["parallelism", "delay", "failure_action", "monitor", "max_failure_ratio", "order"].map((name) => [
            name,
            since(7),
          ]),
        ),
      },
    }),
    resources: since(0, {
      mapping: {
        keys: {
          limits: since(0, { mapping: { keys: { ...always("cpus", "memory"), pids: since(9) } } }),
          reservations: since(0, {
            mapping: {
              keys: {
                ...always("cpus", "memory"),
                generic_resources: since(5, {
                  eachItem: {
                    keys: {
                      discrete_resource_spec: since(5, {
                        mapping: { keys: { kind: since(5), value: since(5) } },
                      }),
                    },
                  },
                }),
              },
            },
          }),
        },
      },
    }),
    restart_policy: since(0, { mapping: { keys: always("condition", "delay", "max_attempts", "window") } }),
    placement: since(0, {
      mapping: {
        keys: {
          constraints: since(0),
          preferences: since(3, { eachItem: { keys: { spread: since(3) } } }),
          max_replicas_per_node: since(8),
        },
      },
    }),
  },
};

const build: MappingRule = {
  keys: {
    ...always("context", "dockerfile", "args"),
    cache_from: since(2),
    labels: since(3),
    network: since(4),
    target: since(4),
    shm_size: since(5),
    extra_hosts: since(9),
  },
  openSince: 11,
};

/** Long-syntax `secrets:`/`configs:` entries of a service; docker leaves them open. */
const fileObjectReference = (version: number): MappingRule => ({
  keys: Object.fromEntries(["source", "target", "uid", "gid", "mode"].map((name) => [name, since(version)])),
  openSince: version,
});

const service: MappingRule = {
  keys: {
    ...always(
      "cap_add",
      "cap_drop",
      "cgroup_parent",
      "command",
      "container_name",
      "depends_on",
      "devices",
      "dns",
      "dns_search",
      "domainname",
      "entrypoint",
      "env_file",
      "environment",
      "expose",
      "external_links",
      "extra_hosts",
      "hostname",
      "image",
      "ipc",
      "labels",
      "links",
      "mac_address",
      "network_mode",
      "pid",
      "privileged",
      "read_only",
      "restart",
      "security_opt",
      "shm_size",
      "stdin_open",
      "stop_grace_period",
      "stop_signal",
      "sysctls",
      "tmpfs",
      "tty",
      "user",
      "userns_mode",
      "working_dir",
    ),
    deploy: since(0, { mapping: deploy }),
    build: since(0, { mapping: build }),
    cgroupns_mode: since(9),
    configs: since(3, { eachItem: fileObjectReference(3) }),
    secrets: since(1, { eachItem: fileObjectReference(1) }),
    credential_spec: since(3, {
      mapping: { keys: { file: since(3), registry: since(3), config: since(8) } },
    }),
    healthcheck: since(0, {
      mapping: {
        keys: {
          ...always("disable", "interval", "retries", "test", "timeout"),
          start_period: since(4),
          start_interval: since(12),
        },
      },
    }),
    init: since(7),
    isolation: since(5),
    logging: since(0, { mapping: { keys: always("driver", "options") } }),
    networks: since(0, {
      eachValue: {
        keys: { ...always("aliases", "ipv4_address", "ipv6_address"), driver_opts: since(13) },
      },
    }),
    oom_score_adj: since(13),
    ports: since(0, {
      eachItem: {
        keys: Object.fromEntries(["mode", "target", "published", "protocol"].map((n) => [n, since(2)])),
      },
    }),
    ulimits: since(0, { eachValue: { keys: always("hard", "soft") } }),
    volumes: since(0, {
      eachItem: {
        keys: {
          ...Object.fromEntries(
            ["type", "source", "target", "read_only", "consistency"].map((n) => [n, since(2)]),
          ),
          bind: since(2, { mapping: { keys: { propagation: since(2) }, openSince: 2 } }),
          volume: since(2, { mapping: { keys: { nocopy: since(2) }, openSince: 2 } }),
          tmpfs: since(6, { mapping: { keys: { size: since(6) }, openSince: 6 } }),
        },
      },
    }),
  },
  extensionsSince: 7,
};

const external = (version: number): KeyRule =>
  since(version, { mapping: { keys: { name: since(version) } } });

export const STACK_FORMAT: MappingRule = {
  keys: {
    version: since(0),
    services: since(0, { eachValue: service }),
    networks: since(0, {
      eachValue: {
        keys: {
          ...always("driver", "driver_opts", "internal", "labels"),
          external: external(0),
          ipam: since(0, {
            mapping: {
              keys: { driver: since(0), config: since(0, { eachItem: { keys: always("subnet") } }) },
            },
          }),
          attachable: since(2),
          name: since(5),
        },
        extensionsSince: 7,
      },
    }),
    volumes: since(0, {
      eachValue: {
        keys: {
          ...always("driver", "driver_opts", "labels"),
          external: external(0),
          name: since(4),
        },
        extensionsSince: 7,
      },
    }),
    secrets: since(1, {
      eachValue: {
        keys: {
          file: since(1),
          external: { ...external(1), mapping: { keys: { name: since(1) }, openSince: 1 } },
          labels: since(1),
          name: since(5),
          driver: since(8),
          driver_opts: since(8),
          template_driver: since(8),
        },
        extensionsSince: 7,
      },
    }),
    configs: since(3, {
      eachValue: {
        keys: {
          file: since(3),
          external: { ...external(3), mapping: { keys: { name: since(3) }, openSince: 3 } },
          labels: since(3),
          name: since(5),
          template_driver: since(8),
        },
        extensionsSince: 7,
      },
    }),
  },
  extensionsSince: 4,
};
