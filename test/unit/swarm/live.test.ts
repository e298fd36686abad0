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
});
