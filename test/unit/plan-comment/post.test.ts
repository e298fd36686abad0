// postPlanComment against the in-memory GitLab/GitHub API on loopback: the real @gitbeaker/rest
// client and the real fetch, no Docker needed.
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { commentKey, commentMarker } from "../../../src/plan-comment/marker.js";
import { postPlanComment, type PlanCommentRequest } from "../../../src/plan-comment/post.js";
import { SecretMasker } from "../../../src/report/mask.js";
import { ForgeApi, type ForgeUser } from "../../helpers/forge-api/server.js";
import { startSilentServer } from "../../helpers/silent-server.js";
import { planReport, stackEntries } from "./plan-report.js";

const BOT: ForgeUser = { id: 77, login: "project_7_bot_croncd", bot: true };
const ALICE: ForgeUser = { id: 5, login: "alice", bot: false };
const ACTIONS_BOT: ForgeUser = { id: 41898282, login: "github-actions[bot]", bot: true };
const TOKEN = "glpat-secret-token-value";
const cwd = "/builds/platform/config";

const report = (reason = "desired state changed") =>
  planReport([{ kind: "stack", name: "web", target: "prod", action: "configured", reason }]);

describe("plan comment on a GitLab merge request", () => {
  let api: ForgeApi;
  let thread: string;
  const env = (extra: Record<string, string> = {}) => ({
    GITLAB_CI: "true",
    CI_API_V4_URL: api.gitlabApiUrl,
    CI_PROJECT_ID: "7",
    CI_MERGE_REQUEST_IID: "3",
    CI_COMMIT_SHA: "feedface0123456789",
    CRONCD_GITLAB_TOKEN: TOKEN,
    ...extra,
  });
  const post = (overrides: Partial<PlanCommentRequest> = {}) =>
    postPlanComment({
      report: report(),
      scope: { configFile: "croncd.yaml", targets: [], cwd },
      env: env(),
      masker: new SecretMasker(),
      ...overrides,
    });

  beforeEach(async () => {
    // Two notes per page: croncd must follow the pages to find its note.
    api = await ForgeApi.start({ maxPerPage: 2 });
    api.grant(TOKEN, { user: BOT });
    thread = api.openMergeRequest("7", 3);
  });
  afterEach(() => api.stop());

  it("creates one note on the first push and edits it on the next, never a second note", async () => {
    for (let i = 0; i < 3; i += 1) api.addComment(thread, ALICE, `review remark ${i}`);
    expect(await post()).toEqual({ posted: "created", where: "merge request !3 of project 7" });
    expect(await post({ report: report("image changed") })).toEqual({
      posted: "edited",
      where: "merge request !3 of project 7",
    });
    const ours = api.comments(thread).filter((note) => note.author.id === BOT.id);
    expect(ours).toHaveLength(1);
    expect(ours[0]?.body).toContain("| prod | stack | web | 🔄 configured | image changed |");
    expect(ours[0]?.body.split("\n")[0]).toBe(
      commentMarker(commentKey({ configFile: "croncd.yaml", targets: [], cwd })),
    );
    expect(ours[0]?.body).toContain("commit feedface0123");
  });

  it("leaves another user's note with the same text alone", async () => {
    await post();
    const [original] = api.comments(thread);
    const copy = api.addComment(thread, ALICE, original?.body ?? "");
    await post({ report: report("image changed") });
    expect(api.comments(thread).find((note) => note.id === copy.id)?.body).toBe(original?.body);
    expect(api.comments(thread).filter((note) => note.author.id === BOT.id)).toHaveLength(1);
  });

  it("keeps a second configuration's plan in its own note", async () => {
    await post();
    await post({ scope: { configFile: "staging/croncd.yaml", targets: [], cwd } });
    await post({ scope: { configFile: "staging/croncd.yaml", targets: [], cwd }, report: report("again") });
    const bodies = api.comments(thread).map((note) => note.body);
    expect(bodies).toHaveLength(2);
    expect(bodies[0]).toContain("config `croncd.yaml`");
    expect(bodies[1]).toContain("config `staging/croncd.yaml`");
    expect(bodies[1]).toContain("| again |");
  });

  it("masks secrets in the note", async () => {
    const masker = new SecretMasker();
    masker.add("hunter2-password");
    await post({ masker, report: report("env PASSWORD: git has hunter2-password") });
    expect(api.comments(thread)[0]?.body).toContain("git has ***");
    expect(api.comments(thread)[0]?.body).not.toContain("hunter2");
  });

  it("warns with what to create when the token variable is empty (CI_JOB_TOKEN cannot write notes)", async () => {
    const outcome = await post({ env: env({ CRONCD_GITLAB_TOKEN: "" }) });
    expect(outcome).toEqual({
      warning: expect.stringContaining(
        "CRONCD_GITLAB_TOKEN is empty or not set. CI_JOB_TOKEN cannot write merge request notes: create a project access token with the api scope and at least the Reporter role",
      ) as unknown,
    });
    expect(api.requests).toHaveLength(0);
  });

  it("reads the token from the variable --comment-token-env names", async () => {
    const outcome = await post({
      env: env({ CRONCD_GITLAB_TOKEN: "", MR_NOTES_TOKEN: TOKEN }),
      tokenEnv: "MR_NOTES_TOKEN",
    });
    expect(outcome).toEqual({ posted: "created", where: "merge request !3 of project 7" });
  });

  it("turns a 403 into a warning that names the fix, without the token", async () => {
    api.grant("read-only-token", { user: BOT, canWrite: false });
    const outcome = await post({ env: env({ CRONCD_GITLAB_TOKEN: "read-only-token" }) });
    expect(outcome).toEqual({
      warning: expect.stringMatching(
        /^plan comment on merge request !3 of project 7 not posted: POST http:\/\/127\.0\.0\.1:\d+\/api\/v4\/projects\/7\/merge_requests\/3\/notes answered 403: 403 Forbidden \(the token in CRONCD_GITLAB_TOKEN may not write notes: it needs the api scope and at least the Reporter role in this project\)$/,
      ) as unknown,
    });
    expect(api.comments(thread)).toHaveLength(0);
  });

  it("says a wrong token was refused, and never repeats it", async () => {
    const outcome = await post({ env: env({ CRONCD_GITLAB_TOKEN: "glpat-wrong-token" }) });
    expect("warning" in outcome && outcome.warning).toContain("answered 401");
    expect("warning" in outcome && outcome.warning).toContain("was refused: it is wrong, expired or revoked");
    expect(JSON.stringify(outcome)).not.toContain("glpat-wrong-token");
  });

  it("says when the merge request cannot be found", async () => {
    const outcome = await post({ env: env({ CI_MERGE_REQUEST_IID: "99" }) });
    expect("warning" in outcome && outcome.warning).toContain(
      "cannot see project 7 or its merge request !99",
    );
  });

  it("warns outside a merge request pipeline", async () => {
    const outcome = await post({ env: env({ CI_MERGE_REQUEST_IID: "" }) });
    expect("warning" in outcome && outcome.warning).toContain("this is not a merge request pipeline");
  });

  it("gives up on an API that never answers, within the timeout", async () => {
    const silent = await startSilentServer();
    try {
      const outcome = await post({
        env: env({ CI_API_V4_URL: `http://${silent.address}/api/v4` }),
        timeoutMs: 300,
      });
      expect("warning" in outcome && outcome.warning).toContain("no answer in time");
      expect(silent.accepted).toBeGreaterThan(0);
    } finally {
      await silent.stop();
    }
  });
});

describe("plan comment on a GitHub pull request", () => {
  let api: ForgeApi;
  let thread: string;
  let eventFile: string;
  const env = (extra: Record<string, string> = {}) => ({
    GITHUB_ACTIONS: "true",
    GITHUB_API_URL: api.githubApiUrl,
    GITHUB_REPOSITORY: "acme/config",
    GITHUB_EVENT_PATH: eventFile,
    GITHUB_EVENT_NAME: "pull_request",
    GITHUB_SERVER_URL: "https://github.example",
    GITHUB_RUN_ID: "42",
    GITHUB_TOKEN: "ghs_installation_token",
    ...extra,
  });
  const post = (overrides: Partial<PlanCommentRequest> = {}) =>
    postPlanComment({
      report: report(),
      scope: { configFile: "croncd.yaml", targets: ["prod"], cwd },
      env: env(),
      masker: new SecretMasker(),
      ...overrides,
    });

  beforeEach(async () => {
    api = await ForgeApi.start({ maxPerPage: 2 });
    // GITHUB_TOKEN: an app installation token, posting as github-actions[bot], GET /user refused.
    api.grant("ghs_installation_token", { user: ACTIONS_BOT, appInstallation: true });
    thread = api.openPullRequest("acme/config", 12);
    const dir = await mkdtemp(path.join(tmpdir(), "croncd-event-"));
    eventFile = path.join(dir, "event.json");
    await writeFile(
      eventFile,
      JSON.stringify({ pull_request: { number: 12, head: { sha: "abcdef0123456789" } } }),
    );
  });
  afterEach(() => api.stop());

  it("creates one comment, then edits it, following the pages", async () => {
    for (let i = 0; i < 3; i += 1) api.addComment(thread, ALICE, `comment ${i}`);
    expect(await post()).toEqual({ posted: "created", where: "pull request #12 of acme/config" });
    expect(await post({ report: report("image changed") })).toEqual({
      posted: "edited",
      where: "pull request #12 of acme/config",
    });
    const ours = api.comments(thread).filter((comment) => comment.author.id === ACTIONS_BOT.id);
    expect(ours).toHaveLength(1);
    expect(ours[0]?.body).toContain("image changed");
    expect(ours[0]?.body).toContain(
      "targets `prod` · commit abcdef012345 · [job](https://github.example/acme/config/actions/runs/42)",
    );
    expect(api.requests.filter((request) => request.method === "PATCH")).toHaveLength(1);
  });

  it("fits a huge plan into GitHub's 65,536 characters", async () => {
    const big = planReport(stackEntries(3000, "created"));
    expect(await post({ report: big })).toEqual({
      posted: "created",
      where: "pull request #12 of acme/config",
    });
    const body = api.comments(thread)[0]?.body ?? "";
    expect(body.length).toBeLessThanOrEqual(65_536);
    expect(body).toContain("**Truncated:**");
  });

  it("with a personal token, edits only the comment of the token's own user", async () => {
    const carol: ForgeUser = { id: 9, login: "carol", bot: false };
    api.grant("ghp_personal", { user: carol });
    await post({ env: env({ GITHUB_TOKEN: "ghp_personal" }) });
    await post({ env: env({ GITHUB_TOKEN: "ghp_personal" }), report: report("second") });
    expect(api.comments(thread)).toHaveLength(1);
    expect(api.comments(thread)[0]?.author.login).toBe("carol");
  });

  it("warns with the permission to add when the token is read-only (403)", async () => {
    api.grant("ghs_read_only", { user: ACTIONS_BOT, appInstallation: true, canWrite: false });
    const outcome = await post({ env: env({ GITHUB_TOKEN: "ghs_read_only" }) });
    expect("warning" in outcome && outcome.warning).toContain(
      "answered 403: Resource not accessible by integration",
    );
    expect("warning" in outcome && outcome.warning).toContain(
      "the job needs permissions: pull-requests: write",
    );
  });

  it("warns when the event is not a pull request", async () => {
    await writeFile(eventFile, JSON.stringify({ schedule: "0 * * * *" }));
    const outcome = await post({ env: env({ GITHUB_EVENT_NAME: "schedule" }) });
    expect(outcome).toEqual({
      warning:
        "plan comment not posted: the schedule event is not about a pull request; run the plan on: pull_request",
    });
  });

  it("warns with how to pass the token when the variable is empty", async () => {
    const outcome = await post({ env: env({ GITHUB_TOKEN: "" }) });
    expect("warning" in outcome && outcome.warning).toContain("GITHUB_TOKEN: ${{ github.token }}");
  });

  it("gives up on an API that never answers, within the timeout", async () => {
    const silent = await startSilentServer();
    try {
      const outcome = await post({
        env: env({ GITHUB_API_URL: `http://${silent.address}` }),
        timeoutMs: 300,
      });
      expect("warning" in outcome && outcome.warning).toContain(
        `GET http://${silent.address}/user: no answer within 0.3s (the API did not answer in time; the plan is in the job log)`,
      );
    } finally {
      await silent.stop();
    }
  });

  it("warns on an outage instead of failing", async () => {
    api.outage = 503;
    const outcome = await post();
    expect("warning" in outcome && outcome.warning).toContain(
      "the API failed on its side; the plan is in the job log",
    );
  });
});
