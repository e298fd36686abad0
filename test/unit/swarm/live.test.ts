import { describe, expect, it } from "vitest";
import type { DockerCli } from "../../../src/ports/docker.js";
import { readLiveStacks } from "../../../src/targets/swarm/live.js";

/** A docker whose Engine API answers GET /services with `answer`; the CLI is not to be used. */
function dockerAnswering(answer: unknown): DockerCli & { paths: string[] } {
  const paths: string[] = [];
  const unexpected = () => Promise.reject(new Error("the live state must come from the API"));
  return {
    paths,
    run: unexpected,
    tryRun: unexpected,
    getJson: (apiPath) => (paths.push(apiPath), Promise.resolve(answer)),
    tryRequest: unexpected,
  };
}

const service = (id: string, name: string, labels: Record<string, string> | null) => ({
  ID: id,
  Spec: { Name: name, Labels: labels, TaskTemplate: {} },
});

describe("readLiveStacks", () => {
  it("groups every service of the Swarm by stack in one GET /services, leaving out services of no stack", async () => {
    const docker = dockerAnswering([
      service("1", "web_app", { "com.docker.stack.namespace": "web" }),
      service("2", "lonely", null),
      service("3", "web_db", { "com.docker.stack.namespace": "web", team: "a" }),
      service("4", "api_app", { "com.docker.stack.namespace": "api" }),
    ]);
    const stacks = await readLiveStacks(docker, "target prod");
    expect(docker.paths).toEqual(["/services"]);
    expect([...stacks.keys()]).toEqual(["web", "api"]);
    expect(stacks.get("web")?.services.map((s) => [s.id, s.name, s.stack, s.labels.team])).toEqual([
      ["1", "web_app", "web", undefined],
      ["3", "web_db", "web", "a"],
    ]);
  });

  it("refuses an answer that is not a list of services, naming the request", async () => {
    await expect(readLiveStacks(dockerAnswering({ message: "hm" }), "target prod")).rejects.toThrow(
      "target prod: read services: the Docker API did not return a list of services for GET /services",
    );
    await expect(readLiveStacks(dockerAnswering([{ ID: "1" }]), "target prod")).rejects.toThrow(
      "GET /services",
    );
  });

  it("with a target, reads every task of its services in one GET /tasks beside GET /services", async () => {
    const services = [
      {
        ...service("1", "web_app", { "com.docker.stack.namespace": "web", "io.croncd.target": "prod" }),
        UpdateStatus: { State: "paused", Message: "update paused" },
        ServiceStatus: { RunningTasks: 0, DesiredTasks: 1 },
        UpdatedAt: "2026-12-05T03:00:00Z",
      },
      service("2", "api_app", { "com.docker.stack.namespace": "api", "io.croncd.target": "prod" }),
    ];
    const tasks = [
      {
        ID: "t1",
        ServiceID: "1",
        Slot: 1,
        NodeID: "n1",
        DesiredState: "shutdown",
        Status: { State: "rejected", Timestamp: "2026-12-05T02:59:58Z", Err: "No such image: x:2" },
      },
      {
        ID: "t2",
        ServiceID: "2",
        NodeID: "n1",
        DesiredState: "complete",
        Status: { State: "complete", Timestamp: "2026-12-05T02:59:00Z" },
      },
    ];
    const paths: string[] = [];
    const docker = {
      ...dockerAnswering(undefined),
      getJson: (apiPath: string) => {
        paths.push(apiPath);
        return Promise.resolve(apiPath.startsWith("/tasks") ? tasks : services);
      },
    };
    const stacks = await readLiveStacks(docker, "target prod", undefined, { target: "prod" });
    expect(paths.sort()).toEqual([
      "/services?status=true",
      `/tasks?filters=${encodeURIComponent('{"label":["io.croncd.target=prod"]}')}`,
    ]);
    expect(stacks.get("web")?.services[0]?.runtime).toEqual({
      updateStatus: { State: "paused", Message: "update paused" },
      counts: { running: 0, desired: 1, completed: 0 },
      updatedAt: "2026-12-05T03:00:00Z",
    });
    expect(stacks.get("web")?.tasks).toEqual([
      {
        id: "t1",
        serviceId: "1",
        slot: 1,
        nodeId: "n1",
        state: "rejected",
        desiredState: "shutdown",
        timestamp: "2026-12-05T02:59:58Z",
        error: "No such image: x:2",
      },
    ]);
    expect(stacks.get("api")?.tasks?.map((task) => task.id)).toEqual(["t2"]);
    expect(stacks.get("api")?.observedAt).toBeInstanceOf(Date);
  });

  it("refuses an answer to GET /tasks that is not a list of tasks", async () => {
    const docker = {
      ...dockerAnswering(undefined),
      getJson: (apiPath: string) => Promise.resolve(apiPath.startsWith("/tasks") ? [{ ID: "t" }] : []),
    };
    await expect(readLiveStacks(docker, "target prod", undefined, { target: "prod" })).rejects.toThrow(
      "target prod: read tasks: the Docker API did not return a list of tasks for GET /tasks",
    );
  });
});
