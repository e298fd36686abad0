// What croncd shows of docker's own words when a call fails, checked on the real daemon's
// answers: its error lines, not its progress chatter; a create that lost a race said plainly.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDockerCli, dockerFailure } from "../../src/ports/docker.js";
import { runCroncd, writeConfig } from "../helpers/croncd.js";
import { docker, dockerHost, removeAllStacks, TEST_IMAGE, uniqueStackName } from "../helpers/docker.js";
import { createBareRepo, TestRepo } from "../helpers/git-repo.js";

const stack = uniqueStackName("words");
/** Not a stack: a plain service that holds the port the stack wants. */
const occupant = `${stack}-occupant`;
const PORT = 28391;

describe("docker's words in croncd's errors", () => {
  let work: string;

  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), "croncd-words-"));
  });

  afterAll(async () => {
    await docker(["service", "rm", occupant]).catch(() => undefined);
    await removeAllStacks(stack);
    await rm(work, { recursive: true, force: true });
  });

  it("a failing deploy shows docker's error line, not its notices and progress", async () => {
    await docker([
      "service",
      "create",
      "--detach",
      "--name",
      occupant,
      "--publish",
      `${PORT}:80`,
      TEST_IMAGE,
      "sleep",
      "3600",
    ]);
    const bare = await createBareRepo(work, "stacks.git");
    const repo = await TestRepo.create(path.join(work, "checkout"), {
      [`stacks/${stack}/compose.yaml`]: `services:
  app:
    image: ${TEST_IMAGE}
    command: ["sleep", "3600"]
    ports: ["${PORT}:80"]
`,
    });
    await repo.push(bare);
    const config = await writeConfig(
      work,
      [{ name: "platform", url: bare }],
      [{ name: stack, source: "platform", path: "stacks" }],
    );
    const result = await runCroncd(["reconcile", "--config", config], { cwd: work });
    expect(result.exitCode, result.output).toBe(1);
    const failure = result.output.split("\n").find((line) => line.includes(`stack ${stack}: failed`)) ?? "";
    expect(failure).toMatch(/deploy failed: .*already in use/);
    // What docker printed before failing (`Creating network ...`, the --detach notice) stays out.
    expect(result.output).not.toMatch(
      /Since --detach=false|In a future release|Creating network|Creating service/,
    );
  });

  it("an object of the stack's name made outside the stack is named as a possible cause, not only a race", async () => {
    const handMade = `${stack}-hand`;
    // `docker service create` gives it no com.docker.stack.namespace label: docker stack deploy
    // does not see it as the stack's, tries to create it, and is refused on every run.
    await docker(["service", "create", "--detach", "--name", `${handMade}_app`, TEST_IMAGE, "sleep", "3600"]);
    try {
      const bare = await createBareRepo(work, "hand.git");
      const repo = await TestRepo.create(path.join(work, "hand"), {
        [`stacks/${handMade}/compose.yaml`]: `services:\n  app:\n    image: ${TEST_IMAGE}\n    command: ["sleep", "3600"]\n`,
      });
      await repo.push(bare);
      const config = await writeConfig(
        path.join(work, "hand"),
        [{ name: "platform", url: bare }],
        [{ name: handMade, source: "platform", path: "stacks" }],
      );
      const result = await runCroncd(["reconcile", "--config", config], { cwd: work });
      expect(result.exitCode, result.output).toBe(1);
      expect(result.output).toContain(
        `created service ${handMade}_app at the same time, or it exists outside the stack`,
      );
      expect(result.output).toContain(
        `If every run says so, service ${handMade}_app was made outside the stack`,
      );
    } finally {
      await removeAllStacks(handMade);
      await docker(["service", "rm", `${handMade}_app`]).catch(() => undefined);
    }
  });

  it("a create that lost a race is said plainly, from the daemon's own answers", async () => {
    const cli = createDockerCli({ host: dockerHost() });
    const name = `${stack}-race`;
    const creates: [string, string[]][] = [
      ["service", ["service", "create", "--detach", "--name", name, TEST_IMAGE, "sleep", "3600"]],
      ["network", ["network", "create", "--driver", "overlay", name]],
      ["secret", ["secret", "create", name, "-"]],
      ["config", ["config", "create", name, "-"]],
    ];
    try {
      for (const [kind, args] of creates) {
        const first = await cli.tryRun(args, { input: "x" });
        expect(first.exitCode, first.stderr).toBe(0);
        // The second create is the one that lost: docker's own words for it.
        const second = await cli.tryRun(args, { input: "x" });
        expect(second.exitCode).not.toBe(0);
        const error = dockerFailure(second, `stack ${stack}: deploy failed`);
        expect(error.message, second.stderr).toContain(
          `stack ${stack}: deploy failed: another run (or person) created ${kind} ${name} at the same time`,
        );
      }
    } finally {
      await docker(["service", "rm", name]).catch(() => undefined);
      await docker(["network", "rm", name]).catch(() => undefined);
      await docker(["secret", "rm", name]).catch(() => undefined);
      await docker(["config", "rm", name]).catch(() => undefined);
    }
  });
});
