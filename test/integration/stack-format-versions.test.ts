// croncd's rules for docker's stack loader, checked against docker's own reader:
//  - for every key that arrived after 3.0, a file declaring the version just before must be
//    refused by both, and a file declaring the version that introduced it accepted by both;
//  - every key and value croncd refuses as "docker compose only" or "read more narrowly" is
//    refused by docker too, and the form croncd suggests instead is accepted by both.
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { deployabilityIssues } from "../../src/targets/swarm/deployability.js";
import { dockerHost } from "../helpers/docker.js";

interface Probe {
  /** What is probed, for the test name. */
  what: string;
  since: number;
  /** Fields of the `web` service, and top-level sections, for the probe. */
  service?: Record<string, unknown>;
  top?: Record<string, unknown>;
}

const PROBES: Probe[] = [
  { what: "top-level secrets", since: 1, top: { secrets: { s: { file: "./s" } } } },
  {
    what: "service secrets",
    since: 1,
    service: { secrets: ["s"] },
    top: { secrets: { s: { file: "./s" } } },
  },
  { what: "top-level configs", since: 3, top: { configs: { c: { file: "./c" } } } },
  { what: "top-level x- fields", since: 4, top: { "x-shared": { a: 1 } } },
  { what: "service x- fields", since: 7, service: { "x-team": "a" } },
  { what: "init", since: 7, service: { init: true } },
  { what: "isolation", since: 5, service: { isolation: "default" } },
  { what: "cgroupns_mode", since: 9, service: { cgroupns_mode: "host" } },
  { what: "oom_score_adj", since: 13, service: { oom_score_adj: 100 } },
  { what: "deploy.endpoint_mode", since: 2, service: { deploy: { endpoint_mode: "vip" } } },
  { what: "deploy.rollback_config", since: 7, service: { deploy: { rollback_config: { parallelism: 1 } } } },
  { what: "update_config.order", since: 4, service: { deploy: { update_config: { order: "start-first" } } } },
  { what: "limits.pids", since: 9, service: { deploy: { resources: { limits: { pids: 10 } } } } },
  {
    what: "generic_resources",
    since: 5,
    service: {
      deploy: {
        resources: {
          reservations: { generic_resources: [{ discrete_resource_spec: { kind: "gpu", value: 1 } }] },
        },
      },
    },
  },
  {
    what: "placement.preferences",
    since: 3,
    service: { deploy: { placement: { preferences: [{ spread: "node.id" }] } } },
  },
  {
    what: "max_replicas_per_node",
    since: 8,
    service: { deploy: { placement: { max_replicas_per_node: 1 } } },
  },
  { what: "build.cache_from", since: 2, service: { build: { context: ".", cache_from: ["a"] } } },
  { what: "build.labels", since: 3, service: { build: { context: ".", labels: { a: "b" } } } },
  { what: "build.target", since: 4, service: { build: { context: ".", target: "prod" } } },
  { what: "build.shm_size", since: 5, service: { build: { context: ".", shm_size: "64m" } } },
  { what: "build.extra_hosts", since: 9, service: { build: { context: ".", extra_hosts: ["a:10.0.0.1"] } } },
  { what: "other build keys", since: 11, service: { build: { context: ".", no_cache: true } } },
  { what: "healthcheck.start_period", since: 4, service: { healthcheck: { start_period: "5s" } } },
  { what: "healthcheck.start_interval", since: 12, service: { healthcheck: { start_interval: "5s" } } },
  { what: "credential_spec", since: 3, service: { credential_spec: { file: "spec.json" } } },
  { what: "credential_spec.config", since: 8, service: { credential_spec: { config: "spec" } } },
  { what: "long-syntax ports", since: 2, service: { ports: [{ target: 80, published: 8080 }] } },
  {
    what: "long-syntax volumes",
    since: 2,
    service: { volumes: [{ type: "volume", source: "data", target: "/data" }] },
    top: { volumes: { data: {} } },
  },
  {
    what: "tmpfs mounts",
    since: 6,
    service: { volumes: [{ type: "tmpfs", target: "/t", tmpfs: { size: 1000 } }] },
  },
  { what: "networks.attachable", since: 2, top: { networks: { back: { attachable: true } } } },
  { what: "networks.name", since: 5, top: { networks: { back: { name: "back" } } } },
  { what: "networks x- fields", since: 7, top: { networks: { back: { "x-note": 1 } } } },
  {
    what: "driver_opts of a service's network",
    since: 13,
    service: { networks: { back: { driver_opts: { a: "b" } } } },
    top: { networks: { back: {} } },
  },
  { what: "volumes.name", since: 4, top: { volumes: { data: { name: "data" } } } },
  { what: "secrets.name", since: 5, top: { secrets: { s: { file: "./s", name: "s" } } } },
  { what: "secrets.driver", since: 8, top: { secrets: { s: { driver: "vault" } } } },
  { what: "configs.name", since: 5, top: { configs: { c: { file: "./c", name: "c" } } } },
  {
    what: "configs.template_driver",
    since: 8,
    top: { configs: { c: { file: "./c", template_driver: "golang" } } },
  },
];

function probeFile(probe: Probe, minor: number): Record<string, unknown> {
  return {
    version: `3.${minor}`,
    services: { web: { image: "nginx", ...probe.service } },
    ...probe.top,
  };
}

async function dockerAccepts(document: Record<string, unknown>): Promise<boolean> {
  const result = await execa("docker", ["stack", "config", "-c", "-"], {
    input: stringify(document),
    env: { DOCKER_HOST: dockerHost(), PATH: process.env.PATH ?? "" },
    extendEnv: false,
    reject: false,
    timeout: 60_000,
  });
  return result.exitCode === 0;
}

function croncdAccepts(document: Record<string, unknown>): boolean {
  return deployabilityIssues(document, { stackName: "probe", ownTopLevelKeys: [] }).length === 0;
}

describe("keys by Compose file format version, against docker's reader", () => {
  it.each(PROBES.map((probe) => [probe.what, probe] as const))("%s", async (_, probe) => {
    const introduced = probeFile(probe, probe.since);
    expect(await dockerAccepts(introduced), `docker refuses the probe at 3.${probe.since}`).toBe(true);
    expect(croncdAccepts(introduced)).toBe(true);
    const before = probeFile(probe, probe.since - 1);
    expect(await dockerAccepts(before), `docker accepts the probe at 3.${probe.since - 1}`).toBe(false);
    expect(croncdAccepts(before)).toBe(false);
  });
});

/** A service field croncd refuses, and (where there is one) the form it points to instead. */
interface Refusal {
  what: string;
  refused: Record<string, unknown>;
  instead?: Record<string, unknown>;
  top?: Record<string, unknown>;
}

const REFUSALS: Refusal[] = [
  { what: "profiles", refused: { profiles: ["debug"] } },
  { what: "platform", refused: { platform: "linux/amd64" } },
  { what: "runtime", refused: { runtime: "runc" } },
  { what: "extends", refused: { extends: { service: "base" } } },
  { what: "volumes_from", refused: { volumes_from: ["db"] } },
  { what: "volume_driver", refused: { volume_driver: "local" } },
  { what: "scale", refused: { scale: 2 }, instead: { deploy: { replicas: 2 } } },
  { what: "pull_policy", refused: { pull_policy: "always" } },
  {
    what: "mem_limit",
    refused: { mem_limit: "1g" },
    instead: { deploy: { resources: { limits: { memory: "1g" } } } },
  },
  { what: "cpus", refused: { cpus: 0.5 }, instead: { deploy: { resources: { limits: { cpus: "0.5" } } } } },
  { what: "cpu_shares", refused: { cpu_shares: 512 } },
  {
    what: "pids_limit",
    refused: { pids_limit: 10 },
    instead: { deploy: { resources: { limits: { pids: 10 } } } },
  },
  { what: "an unknown key", refused: { imgae: "x" } },
  { what: "a deploy extension field", refused: { deploy: { "x-note": 1 } } },
  {
    what: "long depends_on",
    refused: { depends_on: { db: { condition: "service_healthy" } } },
    instead: { depends_on: ["db"] },
    top: { services: { db: { image: "postgres" } } },
  },
  {
    what: "cpus as a number",
    refused: { deploy: { resources: { limits: { cpus: 0.5 } } } },
    instead: { deploy: { resources: { limits: { cpus: "0.5" } } } },
  },
  {
    what: "a tmpfs size with a unit",
    refused: { volumes: [{ type: "tmpfs", target: "/t", tmpfs: { size: "64m" } }] },
    instead: { volumes: [{ type: "tmpfs", target: "/t", tmpfs: { size: 67108864 } }] },
  },
  { what: "an empty volume part", refused: { volumes: [":/media"] }, instead: { volumes: ["/srv:/media"] } },
  {
    what: "a duplicate cache_from",
    refused: { build: { context: ".", cache_from: ["a", "a"] } },
    instead: { build: { context: ".", cache_from: ["a"] } },
  },
];

function serviceFile(refusal: Refusal, web: Record<string, unknown>): Record<string, unknown> {
  const top = refusal.top ?? {};
  const services = {
    ...(top.services as Record<string, unknown> | undefined),
    web: { image: "nginx", ...web },
  };
  return { ...top, services };
}

describe("what croncd refuses as docker's stack loader does, against docker's reader", () => {
  it.each(REFUSALS.map((refusal) => [refusal.what, refusal] as const))("%s", async (_, refusal) => {
    const refused = serviceFile(refusal, refusal.refused);
    expect(croncdAccepts(refused)).toBe(false);
    expect(await dockerAccepts(refused), "docker accepts what croncd refuses").toBe(false);
    if (!refusal.instead) return;
    const instead = serviceFile(refusal, refusal.instead);
    expect(croncdAccepts(instead)).toBe(true);
    expect(await dockerAccepts(instead), "docker refuses the form croncd suggests").toBe(true);
  });

  it.each(["services", "volumes", "configs", "secrets"])(
    "%s named outside [a-zA-Z0-9._-]",
    async (section) => {
      const document: Record<string, unknown> = {
        services: { web: { image: "nginx" } },
        [section]: { "my thing": section === "services" ? { image: "nginx" } : { external: true } },
      };
      expect(croncdAccepts(document)).toBe(false);
      expect(await dockerAccepts(document)).toBe(false);
    },
  );
});
