// diffStack against live specs recorded from a real Swarm (fixtures/, written by
// test/integration/drift.test.ts with CRONCD_RECORD_DRIFT_FIXTURES=1), changed the way
// `docker service update` changes them, and against specs docker stores for other spellings.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { diffStack, formatChanges, type FieldChange } from "../../../src/targets/swarm/drift.js";
import type { DesiredStack, LiveService, LiveStack } from "../../../src/targets/swarm/model.js";
import { STACK_OPTION_DEFAULTS } from "../../../src/targets/swarm/stack-options.js";

interface Fixture {
  desired: { name: string; document: Record<string, unknown> };
  live: LiveStack;
}

function fixture(name: "deployed" | "variants" | "changed-by-hand"): Fixture {
  const text = readFileSync(new URL(`fixtures/${name}.json`, import.meta.url), "utf8");
  return JSON.parse(text) as Fixture;
}

function desiredStack(name: string, document: Record<string, unknown>): DesiredStack {
  return {
    name,
    dir: `/checkout/stacks/${name}`,
    composeFile: `stacks/${name}/compose.yaml`,
    document,
    yaml: "",
    objects: [],
    hash: "hash",
    options: { ...STACK_OPTION_DEFAULTS, dependsOn: [] },
    serviceNames: Object.keys(document.services as Record<string, unknown>),
    revisionedObjects: 0,
    warnings: [],
  };
}

const STACK = "croncdt-drift";
/** The parts of a recorded `docker service inspect` Spec these tests change. */
interface FileReference {
  File?: { Name: string; UID?: string; GID?: string; Mode?: number };
  SecretName?: string;
  ConfigName?: string;
  ConfigID?: string;
  Runtime?: Record<string, never>;
}
interface Port {
  Protocol: string;
  TargetPort: number;
  PublishedPort?: number;
  PublishMode: string;
}
interface Spec {
  Labels: Record<string, string>;
  TaskTemplate: {
    ContainerSpec: {
      Image: string;
      Labels?: Record<string, string>;
      Command?: string[];
      Args?: string[];
      Env?: string[];
      Secrets?: FileReference[];
      Configs?: FileReference[];
    };
    Resources: {
      Limits?: { NanoCPUs?: number; MemoryBytes?: number; Pids?: number };
      Reservations?: { NanoCPUs?: number; MemoryBytes?: number };
    };
    Placement: { Constraints?: string[] };
  };
  Mode: {
    Replicated?: { Replicas: number };
    Global?: Record<string, never>;
    ReplicatedJob?: { MaxConcurrent: number; TotalCompletions: number };
  };
  EndpointSpec: { Ports?: Port[] };
}
/** Compose services of a recorded document. */
type Services = Record<
  string,
  {
    image?: string;
    command?: unknown;
    environment?: unknown;
    secrets?: unknown;
    deploy?: { placement?: { constraints?: string[] } };
  }
>;
type ObjectDefinitions = Record<string, { name?: string }>;

/** The recorded deploy of the rich stack, with `change` applied to one live spec (as docker would). */
function deployedWith(service: string, change: (spec: Spec) => void): FieldChange[] {
  const { desired, live } = fixture("deployed");
  const target = live.services.find((s) => s.name === `${STACK}_${service}`);
  if (!target) throw new Error(`no live service ${service} in the fixture`);
  change(target.spec as unknown as Spec);
  return diffStack(desiredStack(desired.name, desired.document), live);
}

/** The recorded deploy, with the compose document changed instead. */
function gitWith(change: (services: Services) => void): FieldChange[] {
  const { desired, live } = fixture("deployed");
  change(desired.document.services as Services);
  return diffStack(desiredStack(desired.name, desired.document), live);
}

const change = (service: string, field: string, desired: string, live: string): FieldChange => ({
  service: `${STACK}_${service}`,
  field,
  desired,
  live,
});

describe("diffStack on specs recorded from a real Swarm", () => {
  it.each(["deployed", "variants"] as const)("finds nothing right after a deploy (%s)", (name) => {
    const { desired, live } = fixture(name);
    expect(live.services.length).toBeGreaterThan(3);
    expect(diffStack(desiredStack(desired.name, desired.document), live)).toEqual([]);
  });

  it("finds a service removed by hand and one created in the stack's namespace", () => {
    const { desired, live } = fixture("changed-by-hand");
    expect(diffStack(desiredStack(desired.name, desired.document), live)).toEqual([
      change("agent", "service", "present", "(none)"),
      change("debug", "service", "(none)", "present"),
    ]);
  });

  it("treats every live service as extra when git declares none", () => {
    const { desired, live } = fixture("deployed");
    const changes = diffStack(desiredStack(desired.name, { ...desired.document, services: {} }), live);
    expect(changes.map((c) => [c.service, c.field, c.desired, c.live])).toEqual(
      ["agent", "app", "job", "worker"].map((s) => [`${STACK}_${s}`, "service", "(none)", "present"]),
    );
  });

  it("does not break on a spec without the usual fields", () => {
    const { desired } = fixture("deployed");
    const service: LiveService = {
      id: "x",
      name: `${STACK}_worker`,
      stack: STACK,
      labels: {},
      spec: {},
    };
    const changes = diffStack(desiredStack(desired.name, desired.document), {
      name: STACK,
      services: [service],
    });
    expect(changes.find((c) => c.field === "image")).toEqual(
      change("worker", "image", "croncd-test/busybox:1", "(none)"),
    );
  });
});

describe("image", () => {
  const digest = (c: string) => `sha256:${c.repeat(64)}`;

  it("ignores the digest --resolve-image adds when git pins none", () => {
    expect(
      deployedWith("app", (spec) => {
        spec.TaskTemplate.ContainerSpec.Image = `croncd-test/busybox:1@${digest("a")}`;
      }),
    ).toEqual([]);
  });

  it("sees another image, shown without the digest git does not pin", () => {
    expect(
      deployedWith("app", (spec) => {
        spec.TaskTemplate.ContainerSpec.Image = `croncd-test/busybox:2@${digest("a")}`;
      }),
    ).toEqual([change("app", "image", "croncd-test/busybox:1", "croncd-test/busybox:2")]);
  });

  it("compares digests where git pins one", () => {
    const pinned = gitWith((services) => {
      services.app = { ...services.app, image: `croncd-test/busybox:1@${digest("b")}` };
    });
    expect(pinned).toEqual([
      change("app", "image", `croncd-test/busybox:1@${digest("b")}`, "croncd-test/busybox:1"),
    ]);
  });

  it("compares git's spelling the way the docker client stores it", () => {
    expect(
      gitWith((services) => {
        services.app = { ...services.app, image: "docker.io/croncd-test/busybox:1" };
        services.worker = { ...services.worker, image: "index.docker.io/croncd-test/busybox:1" };
      }),
    ).toEqual([]);
  });
});

describe("env", () => {
  it("compares ContainerSpec.Env as a map, variable by variable", () => {
    expect(
      deployedWith("app", (spec) => {
        const env = spec.TaskTemplate.ContainerSpec.Env ?? [];
        spec.TaskTemplate.ContainerSpec.Env = [
          ...env.filter((entry) => !entry.startsWith("DB_URL=") && !entry.startsWith("EMPTY=")),
          "DB_URL=postgres://other/app",
          "DEBUG=1",
          "BARE",
        ].reverse();
      }),
    ).toEqual([
      change("app", "env.BARE", "(none)", "(no value)"),
      change("app", "env.DB_URL", "postgres://db/app", "postgres://other/app"),
      change("app", "env.DEBUG", "(none)", "1"),
      change("app", "env.EMPTY", "", "(none)"),
    ]);
  });

  it("reads an environment list as well as croncd's mapping", () => {
    const { desired } = fixture("deployed");
    const environment = (desired.document.services as Record<string, { environment: Record<string, string> }>)
      .app?.environment;
    expect(
      gitWith((services) => {
        services.app = {
          ...services.app,
          environment: Object.entries(environment ?? {}).map(([key, value]) => `${key}=${value}`),
        };
      }),
    ).toEqual([]);
  });

  it("shows an empty value apart from a missing one", () => {
    const lines = formatChanges([change("app", "env.EMPTY", "", "(none)")]);
    expect(lines).toEqual([`${STACK}_app: env.EMPTY: git has "", live has (none)`]);
  });
});

describe("mode and replicas", () => {
  it("sees docker service scale", () => {
    expect(
      deployedWith("app", (spec) => {
        spec.Mode = { Replicated: { Replicas: 5 } };
      }),
    ).toEqual([change("app", "replicas", "2", "5")]);
  });

  it("takes one replica where git says nothing, and zero as zero", () => {
    expect(
      deployedWith("worker", (spec) => {
        spec.Mode = { Replicated: { Replicas: 0 } };
      }),
    ).toEqual([change("worker", "replicas", "1", "0")]);
  });

  it("reports a changed mode alone, not replicas", () => {
    expect(
      deployedWith("app", (spec) => {
        spec.Mode = { Global: {} };
      }),
    ).toEqual([change("app", "mode", "replicated", "global")]);
    expect(
      deployedWith("agent", (spec) => {
        spec.Mode = { Replicated: { Replicas: 1 } };
      }),
    ).toEqual([change("agent", "mode", "global", "replicated")]);
  });

  it("compares a job's completions only where git sets replicas", () => {
    expect(
      deployedWith("job", (spec) => {
        spec.Mode = { ReplicatedJob: { MaxConcurrent: 2, TotalCompletions: 4 } };
      }),
    ).toEqual([change("job", "replicas", "2", "4")]);
    const { desired, live } = fixture("variants");
    const job = live.services.find((s) => s.name === "croncdt-drift-v_onejob");
    (job?.spec as unknown as Spec).Mode = { ReplicatedJob: { MaxConcurrent: 1, TotalCompletions: 7 } };
    expect(diffStack(desiredStack(desired.name, desired.document), live)).toEqual([]);
  });
});

describe("labels", () => {
  it("compares service labels, croncd's ownership labels included", () => {
    expect(
      deployedWith("app", (spec) => {
        spec.Labels.tier = "frontend";
        spec.Labels.team = "ops";
        spec.Labels["io.croncd.managed-by"] = "someone";
        delete spec.Labels["io.croncd.target"];
      }),
    ).toEqual([
      change("app", "labels.io.croncd.managed-by", "croncd", "someone"),
      change("app", "labels.io.croncd.target", "drift", "(none)"),
      change("app", "labels.team", "(none)", "ops"),
      change("app", "labels.tier", "backend", "frontend"),
    ]);
  });

  it("ignores docker's stack labels, the commit and the desired-state hash", () => {
    expect(
      deployedWith("app", (spec) => {
        spec.Labels["com.docker.stack.image"] = "something/else:9";
        spec.Labels["io.croncd.commit"] = "fedcba";
        spec.Labels["io.croncd.desired-hash"] = "other";
      }),
    ).toEqual([]);
  });

  it("compares container labels without the namespace label", () => {
    expect(
      deployedWith("app", (spec) => {
        spec.TaskTemplate.ContainerSpec.Labels = {
          "com.docker.stack.namespace": "elsewhere",
          team: "ops",
          x: "",
        };
      }),
    ).toEqual([
      change("app", "container_labels.team", "platform", "ops"),
      change("app", "container_labels.x", "(none)", ""),
    ]);
  });
});

describe("ports", () => {
  const before = "53/udp (host), 28080:80/tcp, 28081:81/tcp, 9000/tcp";

  it("sees a published port added, in any order", () => {
    expect(
      deployedWith("app", (spec) => {
        spec.EndpointSpec.Ports = [
          { Protocol: "tcp", TargetPort: 99, PublishedPort: 28099, PublishMode: "ingress" },
          ...(spec.EndpointSpec.Ports ?? []),
        ];
      }),
    ).toEqual([change("app", "ports", before, `${before.replace(", 9000", ", 28099:99/tcp, 9000")}`)]);
  });

  it("sees a protocol or publish mode changed", () => {
    expect(
      deployedWith("app", (spec) => {
        const web = spec.EndpointSpec.Ports?.find((port) => port.TargetPort === 80);
        if (web) web.PublishMode = "host";
      }),
    ).toEqual([change("app", "ports", before, before.replace("28080:80/tcp", "28080:80/tcp (host)"))]);
  });

  it("sees ports published on a service git publishes none for", () => {
    expect(
      deployedWith("worker", (spec) => {
        spec.EndpointSpec.Ports = [
          { Protocol: "tcp", TargetPort: 80, PublishedPort: 8080, PublishMode: "ingress" },
        ];
      }),
    ).toEqual([change("worker", "ports", "(none)", "8080:80/tcp")]);
  });
});

describe("command and entrypoint", () => {
  it("compares compose command with Args and entrypoint with Command", () => {
    expect(
      deployedWith("app", (spec) => {
        spec.TaskTemplate.ContainerSpec.Args = ["sh", "-c", "sleep 7200"];
        delete spec.TaskTemplate.ContainerSpec.Command;
      }),
    ).toEqual([
      change("app", "command", "sleep 3600", "sh -c 'sleep 7200'"),
      change("app", "entrypoint", "/bin/busybox", "(none)"),
    ]);
  });

  it("splits a command string as docker does before comparing", () => {
    expect(
      gitWith((services) => {
        services.app = { ...services.app, command: `  sleep   '3600' # the same` };
        services.worker = { ...services.worker, command: "sleep 3600" };
      }),
    ).toEqual([]);
  });
});

describe("secrets and configs", () => {
  const { desired } = fixture("deployed");
  const secretName = (desired.document.secrets as ObjectDefinitions).db_password?.name ?? "";
  const configName = (desired.document.configs as ObjectDefinitions).app_conf?.name ?? "";

  it("compares object names and targets, as full paths", () => {
    expect(
      deployedWith("app", (spec) => {
        const container = spec.TaskTemplate.ContainerSpec;
        const byTarget = (list: FileReference[] | undefined, target: string) =>
          list?.find((ref) => ref.File?.Name === target) ?? {};
        byTarget(container.Secrets, "other_name").File = { Name: "renamed" };
        byTarget(container.Configs, "app_conf").ConfigName = "hand-made";
      }),
    ).toEqual([
      change(
        "app",
        "secrets",
        `${secretName} at /run/secrets/db_password, ${secretName} at /run/secrets/other_name`,
        `${secretName} at /run/secrets/db_password, ${secretName} at /run/secrets/renamed`,
      ),
      change(
        "app",
        "configs",
        `${configName} at /app_conf, ${configName} at /etc/app.conf`,
        `${configName} at /etc/app.conf, hand-made at /app_conf`,
      ),
    ]);
  });

  it("ignores uid, gid and mode, and Runtime configs (credential specs)", () => {
    expect(
      deployedWith("app", (spec) => {
        const container = spec.TaskTemplate.ContainerSpec;
        container.Secrets = (container.Secrets ?? []).map((ref) => ({
          ...ref,
          File: { Name: ref.File?.Name ?? "", UID: "1000", GID: "1000", Mode: 0o400 },
        }));
        container.Configs = [
          ...(container.Configs ?? []),
          { Runtime: {}, ConfigID: "x", ConfigName: "credspec" },
        ];
      }),
    ).toEqual([]);
  });

  it("names compose objects as docker stack deploy does", () => {
    const { live } = fixture("deployed");
    const worker = live.services.find((s) => s.name === `${STACK}_worker`)?.spec as unknown as Spec;
    worker.TaskTemplate.ContainerSpec.Secrets = [
      { File: { Name: "plain" }, SecretName: `${STACK}_plain` },
      { File: { Name: "ext" }, SecretName: "ext" },
      { File: { Name: "/etc/named" }, SecretName: "given-name" },
      { File: { Name: "legacy" }, SecretName: "legacy-name" },
    ];
    const document = structuredClone(desired.document);
    const services = document.services as Services;
    services.worker = {
      ...services.worker,
      secrets: ["plain", "ext", { source: "named", target: "/etc/named" }, "legacy"],
    };
    document.secrets = {
      ...(document.secrets as ObjectDefinitions),
      plain: { environment: "X" },
      ext: { external: true },
      named: { external: true, name: "given-name" },
      legacy: { external: { name: "legacy-name" } },
    };
    expect(diffStack(desiredStack(desired.name, document), live)).toEqual([]);
  });
});

describe("resources and constraints", () => {
  it("compares limits and reservations in Swarm's units", () => {
    expect(
      deployedWith("app", (spec) => {
        spec.TaskTemplate.Resources = { Limits: { MemoryBytes: 128 * 1024 ** 2, NanoCPUs: 1e9, Pids: 100 } };
      }),
    ).toEqual([
      change("app", "resources.limits.cpus", "0.25", "1"),
      change("app", "resources.limits.memory", "64MiB", "128MiB"),
      change("app", "resources.reservations.cpus", "0.01", "(none)"),
      change("app", "resources.reservations.memory", "16MiB", "(none)"),
    ]);
  });

  it("sees a limit set by hand where git sets none (a deploy removes it)", () => {
    expect(
      deployedWith("worker", (spec) => {
        spec.TaskTemplate.Resources = { Limits: { Pids: 50 } };
      }),
    ).toEqual([change("worker", "resources.limits.pids", "(none)", "50")]);
  });

  it("compares constraints as a set", () => {
    expect(
      deployedWith("app", (spec) => {
        spec.TaskTemplate.Placement.Constraints = ["node.labels.zone == a", "node.role == manager"];
      }),
    ).toEqual([
      change(
        "app",
        "placement.constraints",
        "node.role == manager",
        "node.labels.zone == a, node.role == manager",
      ),
    ]);
    expect(
      gitWith((services) => {
        services.app = {
          ...services.app,
          deploy: {
            ...services.app?.deploy,
            placement: { constraints: ["node.role == manager", "node.role == manager"] },
          },
        };
      }),
    ).toEqual([
      change(
        "app",
        "placement.constraints",
        "node.role == manager, node.role == manager",
        "node.role == manager",
      ),
    ]);
  });
});

describe("formatChanges", () => {
  it("says what git has and what runs, one line per change", () => {
    expect(
      formatChanges([
        change("app", "image", "croncd-test/busybox:1", "croncd-test/busybox:2"),
        change("app", "env.DEBUG", "(none)", "1"),
        change("db", "service", "present", "(none)"),
        change("debug", "service", "(none)", "present"),
      ]),
    ).toEqual([
      `${STACK}_app: image: git has croncd-test/busybox:1, live has croncd-test/busybox:2`,
      `${STACK}_app: env.DEBUG: git has (none), live has 1`,
      `${STACK}_db: service missing: git declares it, nothing runs`,
      `${STACK}_debug: service not in git: runs in the stack's namespace`,
    ]);
  });
});
