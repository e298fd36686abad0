// syncIssue where the platforms differ or the API misbehaves: GitHub's app token that cannot say
// who it is, GitLab's API URL from the CI job, a server that never answers, and a body too long.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  syncIssue,
  type IssueSyncRequest,
  type TargetFailure,
} from "../../../../src/alerts/issue-tracker/index.js";
import { SecretMasker } from "../../../../src/report/mask.js";
import { ForgeApi, type ForgeUser } from "../../../helpers/forge-api/server.js";
import { startSilentServer } from "../../../helpers/silent-server.js";

const ACTIONS_BOT: ForgeUser = { id: 41898282, login: "github-actions[bot]", bot: true };
const ALICE: ForgeUser = { id: 5, login: "alice", bot: false };
const TOKEN = "ghs_installation_token_value";

const failure = (name: string, cause = `stack ${name}: deploy failed`): TargetFailure => ({
  item: { kind: "stack", name },
  cause,
  fingerprint: `${name.padEnd(16, "0").slice(0, 16)}`,
});

const request = (
  overrides: Partial<IssueSyncRequest> & Pick<IssueSyncRequest, "config">,
): IssueSyncRequest => ({
  target: "prod",
  failures: [failure("web")],
  env: { CRONCD_ISSUE_TOKEN: TOKEN },
  masker: new SecretMasker(),
  log: { info: () => undefined },
  ...overrides,
});

describe("issue alerts, edges", () => {
  let api: ForgeApi;
  beforeEach(async () => {
    api = await ForgeApi.start();
  });
  afterEach(() => api.stop());

  it("with GitHub's GITHUB_TOKEN (which may not read /user), takes the bot's issue as its own", async () => {
    api.grant(TOKEN, { user: ACTIONS_BOT, appInstallation: true });
    const config = {
      github: { repository: "acme/ops", tokenEnv: "CRONCD_ISSUE_TOKEN", apiUrl: api.githubApiUrl },
      labels: ["croncd"],
    };
    const marker = "<!-- croncd:issue target=prod failures=stack/web:web0000000000000 -->";
    api.addIssue("github", "acme/ops", ALICE, {
      title: "quoted",
      body: `${marker}\nby a person`,
      labels: ["croncd"],
    });
    expect((await syncIssue(request({ config }))).action).toBe("opened");
    expect((await syncIssue(request({ config }))).action).toBe("unchanged");
    expect((await syncIssue(request({ config, failures: [] }))).action).toBe("closed");
    expect(api.issues("github", "acme/ops").map((issue) => [issue.author.login, issue.state])).toEqual([
      ["alice", "open"],
      ["github-actions[bot]", "closed"],
    ]);
  });

  it("reads GitLab's API URL from CI_API_V4_URL when the config names none", async () => {
    api.grant(TOKEN, { user: { id: 9, login: "project_bot", bot: true } });
    const config = { gitlab: { project: 7, tokenEnv: "CRONCD_ISSUE_TOKEN" }, labels: ["croncd"] };
    const result = await syncIssue(
      request({ config, env: { CRONCD_ISSUE_TOKEN: TOKEN, CI_API_V4_URL: api.gitlabApiUrl } }),
    );
    expect(result.action).toBe("opened");
    expect(api.issues("gitlab", "7")).toHaveLength(1);
    const nowhere = await syncIssue(request({ config }));
    expect(nowhere).toEqual({
      action: "none",
      error: "no GitLab API URL: set alerts.issue.gitlab.apiUrl, or run in GitLab CI (CI_API_V4_URL)",
    });
  });

  it.each(["gitlab", "github"] as const)(
    "gives up on a %s API that never answers, within the timeout",
    async (platform) => {
      const silent = await startSilentServer();
      try {
        const config =
          platform === "gitlab"
            ? {
                gitlab: {
                  project: 7,
                  tokenEnv: "CRONCD_ISSUE_TOKEN",
                  apiUrl: `http://${silent.address}/api/v4`,
                },
                labels: ["croncd"],
              }
            : {
                github: {
                  repository: "acme/ops",
                  tokenEnv: "CRONCD_ISSUE_TOKEN",
                  apiUrl: `http://${silent.address}/api/v3`,
                },
                labels: ["croncd"],
              };
        const result = await syncIssue(request({ config, timeoutMs: 300 }));
        expect(result.action).toBe("none");
        expect(result.error).toContain(
          "(the API did not answer in time; the issue is brought up to date on the next run)",
        );
        expect(result.error).not.toContain(TOKEN);
      } finally {
        await silent.stop();
      }
    },
  );

  it("fits a long list of failures into GitHub's limit, keeping every fingerprint in the marker", async () => {
    api.grant(TOKEN, { user: ACTIONS_BOT });
    const config = {
      github: { repository: "acme/ops", tokenEnv: "CRONCD_ISSUE_TOKEN", apiUrl: api.githubApiUrl },
      labels: ["croncd"],
    };
    const many = Array.from({ length: 400 }, (_, index) =>
      failure(`stack-${String(index).padStart(3, "0")}`, `deploy failed: ${"x".repeat(2_000)}`),
    );
    expect((await syncIssue(request({ config, failures: many }))).action).toBe("opened");
    const [issue] = api.issues("github", "acme/ops");
    expect(issue?.body.length).toBeLessThanOrEqual(65_536);
    expect(issue?.body).toMatch(/\n\n\d+ more rows left out: see the CI job\./);
    // The same 400 failures next run: the marker kept them all, so nothing changes.
    expect((await syncIssue(request({ config, failures: many }))).action).toBe("unchanged");
  });
});
