// `croncd plan --comment` as a CI job runs it: the real CLI against the real test Swarm, posting to
// the loopback GitLab/GitHub API stand-in. One note per merge request, edited on every push; a
// comment that cannot be posted is a warning and leaves the plan's exit code alone.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCroncd, writeConfig } from "../helpers/croncd.js";
import { TEST_IMAGE, removeAllStacks, uniqueStackName } from "../helpers/docker.js";
import { ForgeApi, type ForgeUser } from "../helpers/forge-api/server.js";
import { createBareRepo, TestRepo } from "../helpers/git-repo.js";
import { startSilentServer } from "../helpers/silent-server.js";

const prefix = uniqueStackName("mrnote");
const web = `${prefix}-web`;
const api = `${prefix}-api`;
const compose = `services:
  app:
    image: ${TEST_IMAGE}
    command: ["sleep", "3600"]
`;
const GITLAB_TOKEN = "glpat-e2e-note-writer";
const GITHUB_TOKEN = "ghs_e2e_installation";
const NOTE_BOT: ForgeUser = { id: 501, login: "project_7_bot", bot: true };
const ACTIONS_BOT: ForgeUser = { id: 41898282, login: "github-actions[bot]", bot: true };

interface ReportWithWarnings {
  exitCode: number;
  warnings?: string[];
}

describe("croncd plan --comment on a real Swarm", () => {
  let work: string;
  let bare: string;
  let repo: TestRepo;
  let configFile: string;
  let forge: ForgeApi;
  let mergeRequest: string;
  let pullRequest: string;
  let eventFile: string;
  const reportFile = () => path.join(work, "report.json");
  const readWarnings = async () =>
    (JSON.parse(await readFile(reportFile(), "utf8")) as ReportWithWarnings).warnings;
  const plan = (env: Record<string, string>, ...extra: string[]) =>
    runCroncd(["plan", "--config", configFile, "--report", reportFile(), "--comment", ...extra], {
      cwd: work,
      env,
    });
  const gitlabEnv = (extra: Record<string, string> = {}) => ({
    GITLAB_CI: "true",
    CI_API_V4_URL: forge.gitlabApiUrl,
    CI_PROJECT_ID: "7",
    CI_MERGE_REQUEST_IID: "3",
    CRONCD_GITLAB_TOKEN: GITLAB_TOKEN,
    ...extra,
  });

  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), "croncd-mrnote-"));
    bare = await createBareRepo(work, "stacks.git");
    repo = await TestRepo.create(path.join(work, "checkout"), { [`stacks/${web}/compose.yaml`]: compose });
    await repo.push(bare);
    configFile = await writeConfig(
      work,
      [{ name: "platform", url: bare, ref: "main" }],
      [{ name: prefix, source: "platform", path: "stacks" }],
    );
    forge = await ForgeApi.start({ maxPerPage: 2 });
    forge.grant(GITLAB_TOKEN, { user: NOTE_BOT });
    // A token of another project bot, whose role may read the merge request but not write notes.
    forge.grant("glpat-read-only", {
      user: { id: 502, login: "project_7_bot_guest", bot: true },
      canWrite: false,
    });
    forge.grant(GITHUB_TOKEN, { user: ACTIONS_BOT, appInstallation: true });
    mergeRequest = forge.openMergeRequest("7", 3);
    pullRequest = forge.openPullRequest("acme/config", 12);
    eventFile = path.join(work, "event.json");
    await writeFile(eventFile, JSON.stringify({ pull_request: { number: 12, head: { sha: "0badc0de" } } }));
  });

  afterAll(async () => {
    await forge.stop();
    await removeAllStacks(prefix);
    await rm(work, { recursive: true, force: true });
  });

  it("GitLab: posts the plan as one merge request note and edits it on the next push", async () => {
    forge.addComment(mergeRequest, { id: 5, login: "alice", bot: false }, "looks good, but check the plan");
    const first = await plan(gitlabEnv());
    expect(first.exitCode, first.output).toBe(2);
    expect(first.output).toContain("plan comment on merge request !3 of project 7: created");
    const [, created] = forge.comments(mergeRequest);
    expect(created?.author.login).toBe(NOTE_BOT.login);
    expect(created?.body).toContain(`| ${prefix} | stack | ${web} | 🆕 created |`);
    expect(created?.body).toContain("config `croncd.yaml` · all targets");

    await repo.write(`stacks/${api}/compose.yaml`, compose);
    await repo.commit("add api");
    await repo.push(bare);
    const second = await plan(gitlabEnv());
    expect(second.exitCode, second.output).toBe(2);
    expect(second.output).toContain("plan comment on merge request !3 of project 7: edited");
    const notes = forge.comments(mergeRequest);
    expect(notes).toHaveLength(2);
    expect(notes[1]?.id).toBe(created?.id);
    expect(notes[1]?.body).toContain(`| ${prefix} | stack | ${api} | 🆕 created |`);
    expect(await readWarnings()).toBeUndefined();
  });

  it("GitLab: a token that may not write notes is a warning naming the fix; the plan's exit code stands", async () => {
    const result = await plan(gitlabEnv({ CRONCD_GITLAB_TOKEN: "glpat-read-only" }));
    expect(result.exitCode, result.output).toBe(2);
    const warning = "it needs the api scope and at least the Reporter role in this project";
    expect(result.stderr).toContain(warning);
    expect(await readWarnings()).toEqual([expect.stringContaining(warning)]);
    expect(result.output).not.toContain("glpat-read-only");
    expect(await readFile(reportFile(), "utf8")).not.toContain("glpat-read-only");
  });

  it("GitLab: an API that never answers is given up on, and the plan still exits with its own code", async () => {
    const silent = await startSilentServer();
    try {
      const result = await plan(
        gitlabEnv({ CI_API_V4_URL: `http://${silent.address}/api/v4`, CRONCD_COMMENT_TIMEOUT_SECONDS: "1" }),
      );
      expect(result.exitCode, result.output).toBe(2);
      expect(await readWarnings()).toEqual([expect.stringContaining("no answer in time")]);
    } finally {
      await silent.stop();
    }
  });

  it("GitHub: posts one pull request comment and edits it in place", async () => {
    const env = {
      GITHUB_ACTIONS: "true",
      GITHUB_API_URL: forge.githubApiUrl,
      GITHUB_REPOSITORY: "acme/config",
      GITHUB_EVENT_PATH: eventFile,
      GITHUB_EVENT_NAME: "pull_request",
      CRONCD_GITHUB_TOKEN: GITHUB_TOKEN,
    };
    const first = await plan(env, "--comment-token-env", "CRONCD_GITHUB_TOKEN");
    expect(first.exitCode, first.output).toBe(2);
    expect(first.output).toContain("plan comment on pull request #12 of acme/config: created");
    // The next push: a new head commit in the event.
    await writeFile(
      eventFile,
      JSON.stringify({ pull_request: { number: 12, head: { sha: "5econd0c0mmit" } } }),
    );
    const second = await plan(env, "--comment-token-env", "CRONCD_GITHUB_TOKEN");
    expect(second.exitCode, second.output).toBe(2);
    expect(second.output).toContain("plan comment on pull request #12 of acme/config: edited");
    const comments = forge.comments(pullRequest);
    expect(comments).toHaveLength(1);
    expect(comments[0]?.author.login).toBe("github-actions[bot]");
    expect(comments[0]?.body).toContain(`| ${prefix} | stack | ${web} | 🆕 created |`);
    expect(comments[0]?.body).toContain("commit 5econd0c0mmi");
    // The runner hides the token in everything the job prints from then on.
    expect(first.stderr).toContain(`::add-mask::${GITHUB_TOKEN}`);
  });
});
