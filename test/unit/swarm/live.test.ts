import { describe, expect, it } from "vitest";
import type { DockerCli } from "../../../src/ports/docker.js";
import { inspectExisting } from "../../../src/targets/swarm/live.js";

/** A docker whose `service inspect` answers as the real CLI does when some services are gone. */
function dockerAnswering(exitCode: number, stdout: string, stderr: string): DockerCli {
  const result = { exitCode, stdout, stderr, notFound: false };
  return { tryRun: () => Promise.resolve(result), run: () => Promise.resolve(stdout) };
}

describe("inspectExisting", () => {
  it("keeps what docker found when other services vanished in between (another stack being removed)", async () => {
    const docker = dockerAnswering(1, '[{"ID":"a"}]', "Error: no such service: b");
    expect(await inspectExisting(docker, ["a", "b"], "inspect")).toBe('[{"ID":"a"}]');
    expect(await inspectExisting(dockerAnswering(1, "", "Error: no such service: b"), ["b"], "inspect")).toBe(
      "[]",
    );
  });

  it("fails on anything else docker says", async () => {
    const docker = dockerAnswering(
      1,
      "",
      "Cannot connect to the Docker daemon at unix:///x. Is the docker daemon running?",
    );
    await expect(inspectExisting(docker, ["a"], "target prod: inspect services")).rejects.toThrow(
      "cannot reach the Docker daemon",
    );
  });
});
