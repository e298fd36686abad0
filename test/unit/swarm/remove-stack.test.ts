// removeStack's wait after `docker stack rm`, against a docker that answers as a 20.10 daemon does
// while a removed stack's containers still hold its network on the node: the network stays in
// `docker network ls`, and `docker network rm` answers that the Swarm has no such network.
import { describe, expect, it } from "vitest";
import type { DockerCli } from "../../../src/ports/docker.js";
import { TargetError } from "../../../src/errors.js";
import type { DesiredStack } from "../../../src/targets/swarm/model.js";
import {
  clearLeftoverNetworks,
  deployStack,
  isVanishedNetwork,
  removeStack,
} from "../../../src/targets/swarm/deploy.js";

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

describe("creating a stack right after an earlier one of its name was removed", () => {
  const inUse = () => ({
    exitCode: 1,
    stderr: "Error response from daemon: network web_default is in use by task x",
  });

  it("removes the leftover networks and waits until they are gone", async () => {
    let listings = 0;
    const docker = scriptedDocker({
      networksListed: () => (++listings <= 2 ? ["pes9260veb9w3o3ds4rgtfw1m"] : []),
      networkRm: inUse,
    });
    await clearLeftoverNetworks(docker, "web", { timeoutMs: 5_000, pollMs: 1 });
    expect(listings).toBe(3);
    expect(docker.calls.filter((call) => call === "network rm")).toHaveLength(2);
  });

  it("leaves a network that stays past its time limit to docker stack deploy, without failing", async () => {
    const docker = scriptedDocker({ networksListed: () => ["pes9260veb9w3o3ds4rgtfw1m"], networkRm: inUse });
    await clearLeftoverNetworks(docker, "web", { timeoutMs: 20, pollMs: 5 });
    expect(docker.calls).not.toContain("stack rm");
  });

  it("retries a deploy whose network vanished under it, and only that failure", async () => {
    const stack = { name: "web", yaml: "services: {}\n", dir: "/checkout/stacks/web" } as DesiredStack;
    const vanished =
      "failed to create service web_app: Error response from daemon: network web_default not found";
    const answers = [vanished, vanished, ""];
    const deploys: string[] = [];
    const docker = {
      ...scriptedDocker({ networksListed: () => [], networkRm: inUse }),
      run: (args: readonly string[]) => {
        deploys.push(args.slice(0, 2).join(" "));
        const error = answers.shift();
        return error
          ? Promise.reject(new TargetError(error, { subject: "stack web: deploy failed" }))
          : Promise.resolve("");
      },
    };
    await deployStack(docker, stack, { resolveImage: "never", withRegistryAuth: false }, [1, 1, 1]);
    expect(deploys).toEqual(["stack deploy", "stack deploy", "stack deploy"]);

    const refused = "services.app Additional property foo is not allowed";
    answers.push(refused, "");
    await expect(
      deployStack(docker, stack, { resolveImage: "never", withRegistryAuth: false }, [1, 1, 1]),
    ).rejects.toThrow(refused);
  });

  it("gives up after the last retry with docker's own words", async () => {
    expect(isVanishedNetwork(new Error("network web_default not found"))).toBe(true);
    expect(isVanishedNetwork(new Error("network web_default is in use by task x"))).toBe(false);
    const stack = { name: "web", yaml: "", dir: "/checkout/stacks/web" } as DesiredStack;
    const docker = {
      ...scriptedDocker({ networksListed: () => [], networkRm: inUse }),
      run: () => Promise.reject(new Error("network web_default not found")),
    };
    await expect(
      deployStack(docker, stack, { resolveImage: "never", withRegistryAuth: false }, [1, 1]),
    ).rejects.toThrow("network web_default not found");
  });
});
