// The docker port's Engine API reads (`docker system dial-stdio`) against the real test daemon:
// they return what `docker service inspect` prints, and a failure says what the daemon or the CLI
// said, the way a failed docker command does.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDockerCli } from "../../src/ports/docker.js";
import { docker, dockerHost, removeAllStacks, TEST_IMAGE, uniqueStackName } from "../helpers/docker.js";
import { TargetUnavailableError } from "../../src/errors.js";

const stack = uniqueStackName("api");

interface InspectedService {
  ID: string;
  Version: { Index: number };
  Spec: {
    Name: string;
    Labels?: Record<string, string>;
    Mode?: unknown;
    TaskTemplate: { ContainerSpec: Record<string, unknown> };
  };
}

describe("the docker port's Engine API reads on a real daemon", () => {
  beforeAll(async () => {
    const compose = `services:
  one:
    image: ${TEST_IMAGE}
    deploy: {replicas: 0, labels: {tier: "a $$dollar"}}
  two:
    image: ${TEST_IMAGE}
    deploy: {replicas: 0}
`;
    await docker(["stack", "deploy", "--resolve-image", "never", "--compose-file", "-", stack], {
      input: compose,
    });
  });

  afterAll(async () => {
    await removeAllStacks(stack);
  });

  // `docker service inspect` asks for `insertDefaults` (update/rollback/restart policies, stop grace
  // period...), which the list endpoint cannot: drift compares none of those fields.
  it("GET /services returns the services docker service inspect shows, as stored (no defaults filled in)", async () => {
    const api = createDockerCli({ host: dockerHost() });
    const services = (await api.getJson("/services")) as InspectedService[];
    const ours = services.filter((service) => service.Spec.Name.startsWith(`${stack}_`));
    const inspected = JSON.parse(
      await docker(["service", "inspect", `${stack}_one`, `${stack}_two`]),
    ) as InspectedService[];
    const essentials = (list: InspectedService[]) =>
      list
        .map(({ ID, Version, Spec }) => ({
          ID,
          Version,
          Name: Spec.Name,
          Labels: Spec.Labels,
          Mode: Spec.Mode,
          ContainerSpec: Spec.TaskTemplate.ContainerSpec,
        }))
        .sort((a, b) => a.Name.localeCompare(b.Name));
    const { ContainerSpec: inspectedContainer, ...inspectedRest } = essentials(inspected)[0] ?? {};
    const [first, second] = essentials(ours);
    expect(second?.Name).toBe(`${stack}_two`);
    expect(first).toMatchObject(inspectedRest);
    expect(first?.Labels).toMatchObject({ tier: "a $dollar" });
    expect(inspectedContainer).toMatchObject(first?.ContainerSpec ?? { missing: true });
    expect(first?.ContainerSpec).not.toHaveProperty("StopGracePeriod");
    expect(inspectedContainer).toHaveProperty("StopGracePeriod", 10_000_000_000);
  });

  it("passes filters through, and answers an unknown path with the daemon's own message", async () => {
    const api = createDockerCli({ host: dockerHost() });
    const filters = encodeURIComponent(JSON.stringify({ name: [`${stack}_two`] }));
    const filtered = (await api.getJson(`/services?filters=${filters}`)) as { Spec: { Name: string } }[];
    expect(filtered.map((service) => service.Spec.Name)).toEqual([`${stack}_two`]);
    await expect(api.getJson("/no-such-endpoint", { subject: "target prod" })).rejects.toThrow(
      "target prod: page not found",
    );
  });

  // The daemon closes the connection after its answer and the CLI exits at once: an early version
  // lost about a third of these reads to "Premature close" when the exit won the race.
  it("loses no answer when the CLI exits right after it, in 200 reads 10 at a time", async () => {
    const api = createDockerCli({ host: dockerHost() });
    const outcomes: string[] = [];
    for (let round = 0; round < 20; round++) {
      const answers = await Promise.allSettled(Array.from({ length: 10 }, () => api.getJson("/info")));
      for (const answer of answers) {
        outcomes.push(answer.status === "fulfilled" ? "ok" : String(answer.reason));
      }
    }
    expect(outcomes.filter((outcome) => outcome !== "ok")).toEqual([]);
    expect(outcomes).toHaveLength(200);
  });

  it("says the daemon cannot be reached, in the CLI's words, when DOCKER_HOST leads nowhere", async () => {
    const api = createDockerCli({ host: "unix:///nonexistent/croncd-test/docker.sock" });
    await expect(api.getJson("/services", { subject: "target prod: read services" })).rejects.toThrow(
      /^target prod: read services: cannot reach the Docker daemon: .*\/nonexistent\/croncd-test\/docker\.sock.*\(check docker\.host/,
    );
    // Away, not wrong: the run reports the target unavailable (exit 3), not failed.
    await expect(api.getJson("/services")).rejects.toBeInstanceOf(TargetUnavailableError);
  });

  it("says so when the docker CLI is missing", async () => {
    const originalPath = process.env.PATH;
    process.env.PATH = "/nonexistent";
    try {
      const api = createDockerCli({ host: dockerHost() });
      await expect(api.getJson("/services")).rejects.toThrow(
        "the docker CLI is not installed or not on PATH",
      );
    } finally {
      process.env.PATH = originalPath;
    }
  });
});
