// syncIssue against the in-memory GitLab/GitHub API on loopback: the real @gitbeaker/rest client
// and the real fetch, no Docker needed. Every scenario runs on both platforms.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { IssueTrackerConfig } from "../../../../src/alerts/issue-tracker/config.js";
import {
  syncIssue,
  type IssueSyncRequest,
  type TargetFailure,
} from "../../../../src/alerts/issue-tracker/index.js";
import { SecretMasker } from "../../../../src/report/mask.js";
import { ForgeApi, type ForgeUser } from "../../../helpers/forge-api/server.js";

const BOT: ForgeUser = { id: 77, login: "project_7_bot_croncd", bot: true };
const ALICE: ForgeUser = { id: 5, login: "alice", bot: false };
const TOKEN = "issue-token-s3cr3t-value";
const COMMIT = { sha: "feedface0123456789abcdef", url: "https://git.example.com/ops/-/commit/feedface" };
const JOB_URL = "https://ci.example.com/jobs/4242";

const webDown: TargetFailure = {
  item: { kind: "stack", name: "web" },
  cause: "service web_app: task failed: exit code 1",
  fingerprint: "1111111111111111",
};
const apiDown: TargetFailure = {
  item: { kind: "stack", name: "api" },
  cause: "service api_app: image not found",
  fingerprint: "2222222222222222",
};
const webOtherwise: TargetFailure = {
  ...webDown,
  cause: "service web_app: rollback",
  fingerprint: "3333333333333333",
};

const platforms = [
  {
    platform: "gitlab" as const,
    project: "platform/ops",
    config: (api: ForgeApi): IssueTrackerConfig => ({
      gitlab: { project: "platform/ops", tokenEnv: "CRONCD_ISSUE_TOKEN", apiUrl: api.gitlabApiUrl },
      labels: ["croncd", "ops"],
    }),
  },
  {
    platform: "github" as const,
    project: "acme/ops",
    config: (api: ForgeApi): IssueTrackerConfig => ({
      github: { repository: "acme/ops", tokenEnv: "CRONCD_ISSUE_TOKEN", apiUrl: api.githubApiUrl },
      labels: ["croncd", "ops"],
    }),
  },
];

describe.each(platforms)("issue alerts on $platform", ({ platform, project, config }) => {
  let api: ForgeApi;
  let logged: string[];
  const sync = (failures: TargetFailure[], overrides: Partial<IssueSyncRequest> = {}) =>
    syncIssue({
      config: config(api),
      target: "prod",
      failures,
      commit: COMMIT,
      jobUrl: JOB_URL,
      env: { CRONCD_ISSUE_TOKEN: TOKEN },
      masker: new SecretMasker(),
      log: { info: (line) => logged.push(line) },
      ...overrides,
    });
  const issues = () => api.issues(platform, project);
  const commentsOn = (index: number) => api.comments(issues()[index]?.thread ?? "none");
  const writes = () => api.requests.filter((request) => request.method !== "GET");

  beforeEach(async () => {
    // Two per page: croncd must follow the pages to find its issue among others.
    api = await ForgeApi.start({ maxPerPage: 2 });
    api.grant(TOKEN, { user: BOT });
    logged = [];
  });
  afterEach(() => api.stop());

  it("opens one issue naming the failing items, their causes, the commit and the job", async () => {
    const result = await sync([webDown, apiDown]);
    expect(result).toEqual({ action: "opened", url: expect.stringContaining("/issues/1") as unknown });
    const [issue] = issues();
    expect(issues()).toHaveLength(1);
    expect(issue?.title).toBe("croncd: target prod is failing");
    expect(issue?.labels).toEqual(["croncd", "ops"]);
    expect(issue?.state).toBe("open");
    expect(issue?.body.split("\n")[0]).toBe(
      "<!-- croncd:issue target=prod failures=stack/api:2222222222222222,stack/web:1111111111111111 -->",
    );
    expect(issue?.body).toContain("| stack `api` | `service api_app: image not found` |");
    expect(issue?.body).toContain("| stack `web` | `service web_app: task failed: exit code 1` |");
    expect(issue?.body).toContain(`commit [\`feedface0123\`](${COMMIT.url})`);
    expect(issue?.body).toContain(`[CI job](${JOB_URL})`);
    expect(logged).toEqual([`issue for target prod opened: ${result.url}`]);
  });

  it("leaves the issue alone while the same failures persist", async () => {
    await sync([webDown, apiDown]);
    const before = issues()[0]?.body;
    const writesBefore = writes().length;
    // The same set in another order is the same set.
    expect(await sync([apiDown, webDown])).toEqual({
      action: "unchanged",
      url: expect.any(String) as unknown,
    });
    expect(writes()).toHaveLength(writesBefore);
    expect(issues()[0]?.body).toBe(before);
    expect(commentsOn(0)).toHaveLength(0);
  });

  it("comments once when the set of failures changes, and rewrites the table", async () => {
    await sync([webDown, apiDown]);
    expect((await sync([webOtherwise])).action).toBe("commented");
    expect((await sync([webOtherwise])).action).toBe("unchanged");
    const comments = commentsOn(0);
    expect(comments).toHaveLength(1);
    expect(comments[0]?.body).toContain("The failures of target `prod` changed.");
    expect(comments[0]?.body).toContain(
      "| 🔁 fails differently | stack `web` | `service web_app: rollback` |",
    );
    expect(comments[0]?.body).toContain("| ✅ recovered | stack `api` | |");
    const body = issues()[0]?.body ?? "";
    expect(body.split("\n")[0]).toBe("<!-- croncd:issue target=prod failures=stack/web:3333333333333333 -->");
    expect(body).toContain("| stack `web` | `service web_app: rollback` |");
    expect(body).not.toContain("stack `api`");
    expect(issues()).toHaveLength(1);
  });

  it("says which items started failing and how many still fail as before", async () => {
    await sync([webDown]);
    await sync([webDown, apiDown]);
    const [comment] = commentsOn(0);
    expect(comment?.body).toContain("1 other item still fails as before.");
    expect(comment?.body).toContain("| 🆕 failing | stack `api` | `service api_app: image not found` |");
    expect(comment?.body).not.toContain("stack `web`");
  });

  it("comments and closes the issue when everything has recovered, once", async () => {
    await sync([webDown]);
    expect((await sync([])).action).toBe("closed");
    expect(await sync([])).toEqual({ action: "none" });
    const [issue] = issues();
    expect(issue?.state).toBe("closed");
    if (platform === "github") expect(issue?.stateReason).toBe("completed");
    expect(commentsOn(0).map((comment) => comment.body)).toEqual([
      `✅ Every failure of target \`prod\` has recovered; closing.\n\n<sub>seen by croncd at commit [\`feedface0123\`](${COMMIT.url}) · [CI job](${JOB_URL})</sub>`,
    ]);
    expect(issue?.body.split("\n")[0]).toBe("<!-- croncd:issue target=prod failures= -->");
  });

  it("does nothing at all for a healthy target without an issue", async () => {
    expect(await sync([])).toEqual({ action: "none" });
    expect(issues()).toHaveLength(0);
    expect(writes()).toHaveLength(0);
    expect(logged).toEqual([]);
  });

  it("opens a new issue for a failure after a recovery, leaving the closed one closed", async () => {
    await sync([webDown]);
    await sync([]);
    expect((await sync([webDown])).action).toBe("opened");
    expect(issues().map((issue) => issue.state)).toEqual(["closed", "open"]);
  });

  it("finds the issue an earlier run opened by its marker, with no state of its own", async () => {
    // As if croncd's alert state in the target had been deleted: the issue is all there is.
    for (let i = 0; i < 3; i += 1)
      api.addIssue(platform, project, ALICE, { title: `other ${i}`, labels: ["croncd"] });
    api.addIssue(platform, project, BOT, {
      title: "croncd: target prod is failing",
      body: "<!-- croncd:issue target=prod failures=stack/web:1111111111111111 -->\nwritten by an earlier run",
      labels: ["croncd", "ops"],
    });
    expect((await sync([webDown])).action).toBe("unchanged");
    expect((await sync([webDown, apiDown])).action).toBe("commented");
    expect(issues()).toHaveLength(4);
    expect(commentsOn(3)).toHaveLength(1);
  });

  it("keeps one issue per target", async () => {
    await sync([webDown]);
    await sync([apiDown], { target: "staging" });
    await sync([webDown]);
    await sync([apiDown], { target: "staging" });
    expect(issues().map((issue) => issue.body.split("\n")[0])).toEqual([
      "<!-- croncd:issue target=prod failures=stack/web:1111111111111111 -->",
      "<!-- croncd:issue target=staging failures=stack/api:2222222222222222 -->",
    ]);
    expect((await sync([], { target: "staging" })).action).toBe("closed");
    expect(issues().map((issue) => issue.state)).toEqual(["open", "closed"]);
  });

  it("leaves alone issues with the label that croncd did not write", async () => {
    const plain = api.addIssue(platform, project, ALICE, {
      title: "prod is slow",
      body: "see logs",
      labels: ["croncd"],
    });
    const copied = api.addIssue(platform, project, ALICE, {
      title: "copy",
      body: "<!-- croncd:issue target=prod failures=stack/web:1111111111111111 -->\ncopied by hand",
      labels: ["croncd"],
    });
    expect((await sync([webDown])).action).toBe("opened");
    expect((await sync([])).action).toBe("closed");
    const untouched = issues().filter(
      (issue) => issue.number === plain.number || issue.number === copied.number,
    );
    expect(untouched).toEqual([plain, copied]);
    expect(api.comments(plain.thread)).toHaveLength(0);
    expect(api.comments(copied.thread)).toHaveLength(0);
  });

  it("leaves the issue as it is while the source or the target is unavailable, asking nothing of the API", async () => {
    await sync([webDown]);
    const before = issues();
    const requestsBefore = api.requests.length;
    expect(await sync([], { unavailable: "target" })).toEqual({ action: "none" });
    expect(await sync([apiDown], { unavailable: "source" })).toEqual({ action: "none" });
    // The forge is often the git server that is down: a maintenance window adds no error.
    api.outage = 503;
    expect(await sync([], { unavailable: "source" })).toEqual({ action: "none" });
    expect(api.requests).toHaveLength(requestsBefore);
    expect(issues()).toEqual(before);
  });

  it("never sends a secret or the token, in the issue, the comments or the log", async () => {
    const masker = new SecretMasker();
    masker.add("hunter2-password");
    const leaking = { ...webDown, cause: "env PASSWORD=hunter2-password was refused" };
    await sync([leaking], { masker });
    await sync([leaking, apiDown], { masker });
    const everything = JSON.stringify([issues(), commentsOn(0), logged]);
    expect(everything).toContain("env PASSWORD=*** was refused");
    expect(everything).not.toContain("hunter2");
    expect(everything).not.toContain(TOKEN);
  });

  it("reports a refusal with the fix, without the token", async () => {
    api.grant("read-only-token", { user: BOT, canWrite: false });
    const result = await sync([webDown], { env: { CRONCD_ISSUE_TOKEN: "read-only-token" } });
    expect(result.action).toBe("none");
    expect(result.error).toContain("answered 403");
    expect(result.error).toContain(
      platform === "gitlab"
        ? "(the token in CRONCD_ISSUE_TOKEN may not write issues: it needs the api scope and at least the Reporter role in project platform/ops)"
        : "(the token in CRONCD_ISSUE_TOKEN may not write issues in acme/ops: it needs issues: write",
    );
    expect(JSON.stringify(result)).not.toContain("read-only-token");
    expect(issues()).toHaveLength(0);
  });

  it("reports an API failing on its side", async () => {
    api.outage = 500;
    const result = await sync([webDown]);
    expect(result.action).toBe("none");
    expect(result.error).toMatch(
      /answered 500.*\(the API failed on its side; the issue is brought up to date on the next run\)$/,
    );
  });

  it("says what to create when the token variable is empty, without calling the API", async () => {
    const result = await sync([webDown], { env: {} });
    expect(result.action).toBe("none");
    expect(result.error).toMatch(/^CRONCD_ISSUE_TOKEN is empty or not set/);
    expect(api.requests).toHaveLength(0);
  });
});
