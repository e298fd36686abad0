import os from "node:os";
import { describe, expect, it } from "vitest";
import { suspendedBy } from "../../../src/commands/suspended-by.js";

describe("who suspended, as reports name it", () => {
  it("a GitLab job: the user who started it and the job's page", () => {
    expect(
      suspendedBy({ GITLAB_USER_LOGIN: "alice", CI_JOB_URL: "https://gitlab.example.com/ops/-/jobs/7" }),
    ).toBe("alice (https://gitlab.example.com/ops/-/jobs/7)");
  });

  it("a GitHub run: the actor and the run attempt's page", () => {
    expect(
      suspendedBy({
        GITHUB_ACTOR: "bob",
        GITHUB_SERVER_URL: "https://github.com",
        GITHUB_REPOSITORY: "ops/stacks",
        GITHUB_RUN_ID: "42",
        GITHUB_RUN_ATTEMPT: "2",
      }),
    ).toBe("bob (https://github.com/ops/stacks/actions/runs/42/attempts/2)");
  });

  it("outside CI: user@host", () => {
    expect(suspendedBy({})).toBe(`${os.userInfo().username}@${os.hostname()}`);
  });
});
