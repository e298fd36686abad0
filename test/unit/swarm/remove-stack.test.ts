// removeStack's wait after `docker stack rm`, against a docker that answers as a 20.10 daemon does
// while a removed stack's containers still hold its network on the node: the network stays in
// `docker network ls`, and `docker network rm` answers that the Swarm has no such network.
import { describe, expect, it } from "vitest";
import type { DockerCli } from "../../../src/ports/docker.js";
import { removeStack } from "../../../src/targets/swarm/deploy.js";

interface Answers {
  networksListed: () => string[];
  networkRm: (id: string) => { exitCode: number; stderr: string };
}

function scriptedDocker(answers: Answers): DockerCli & { calls: string[] } {
  const calls: string[] = [];
  const result = (exitCode: number, stdout: string, stderr = "") => ({
    exitCode,
    stdout,
    stderr,
    notFound: false,
  });
  const answer = (args: readonly string[]) => {
    calls.push(args.slice(0, 2).join(" "));
    if (args[0] === "stack") return result(0, "");
    if (args[0] === "service") return result(0, "");
    if (args[0] === "network" && args[1] === "ls") return result(0, answers.networksListed().join("\n"));
    if (args[0] === "network" && args[1] === "rm") {
      const { exitCode, stderr } = answers.networkRm(args[2] ?? "");
      return result(exitCode, "", stderr);
    }
    throw new Error(`unexpected docker ${args.join(" ")}`);
  };
  return {
    calls,
    tryRun: (args) => Promise.resolve(answer(args)),
    run: (args) => Promise.resolve(answer(args).stdout),
    getJson: () => Promise.reject(new Error("unexpected API call")),
    tryRequest: () => Promise.reject(new Error("unexpected API call")),
  };
}

describe("removeStack", () => {
  it("waits while the node still lists a network the Swarm already removed, until it lets go", async () => {
    // Right after `docker stack rm` the stopping containers hold the network on the node.
    let listings = 0;
    const docker = scriptedDocker({
      networksListed: () => (++listings <= 3 ? ["pes9260veb9w3o3ds4rgtfw1m"] : []),
      networkRm: (id) => ({ exitCode: 1, stderr: `Error response from daemon: network ${id} not found` }),
    });
    await removeStack(docker, "web", { timeoutMs: 5_000, pollMs: 1, staleNetworkGraceMs: 5_000 });
    expect(listings).toBe(4);
  });

  it("takes such a network for removed after a grace period (finished job containers can hold it for long)", async () => {
    const docker = scriptedDocker({
      networksListed: () => ["pes9260veb9w3o3ds4rgtfw1m"],
      networkRm: (id) => ({ exitCode: 1, stderr: `Error response from daemon: network ${id} not found` }),
    });
    const started = Date.now();
    await removeStack(docker, "web", { timeoutMs: 5_000, pollMs: 5, staleNetworkGraceMs: 500 });
    // Resolved once the grace was over, long before the time limit that would have failed it.
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(docker.calls.filter((call) => call === "network rm").length).toBeGreaterThan(1);
  });

  it("does not fail at its time limit on a network only the node still lists", async () => {
    const docker = scriptedDocker({
      networksListed: () => ["pes9260veb9w3o3ds4rgtfw1m"],
      networkRm: (id) => ({ exitCode: 1, stderr: `Error response from daemon: network ${id} not found` }),
    });
    await removeStack(docker, "web", { timeoutMs: 50, pollMs: 5, staleNetworkGraceMs: 60_000 });
  });

  it("keeps waiting for a network still in use, and says so when time runs out", async () => {
    const docker = scriptedDocker({
      networksListed: () => ["pes9260veb9w3o3ds4rgtfw1m"],
      networkRm: () => ({
        exitCode: 1,
        stderr:
          "Error response from daemon: rpc error: code = FailedPrecondition desc = network pes9260veb9w3o3ds4rgtfw1m is in use by task x",
      }),
    });
    await expect(
      removeStack(docker, "web", { timeoutMs: 50, pollMs: 5, staleNetworkGraceMs: 10 }),
    ).rejects.toThrow("stack web: the stack was asked to go but its services or networks are still there");
    expect(docker.calls.filter((call) => call === "network rm").length).toBeGreaterThan(1);
  });
});
