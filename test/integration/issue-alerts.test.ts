// Issue alerts through the real CLI on the real test Swarm, with the GitLab issue API on loopback:
// a failing target opens one issue, the same failure on the next run leaves it alone (even with
// croncd's alert state deleted), the recovery comments and closes it. The token reaches neither
// the log nor the report.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readReport, runCroncd, writeConfig, type JsonReport } from "../helpers/croncd.js";
import { docker, removeAllStacks, TEST_IMAGE, uniqueStackName } from "../helpers/docker.js";
import { ForgeApi } from "../helpers/forge-api/server.js";
import { createBareRepo, TestRepo } from "../helpers/git-repo.js";

const HEALTHY = `services:\n  app:\n    image: ${TEST_IMAGE}\n    command: ["sleep", "3600"]\n`;
/** Refused before any deploy: the variable is set nowhere. */
const UNRENDERABLE = `services:\n  app:\n    image: \${APP_IMAGE:?APP_IMAGE is not set}\n`;
const TOKEN = "glpat-issue-writer-5e1f";
const JOB_URL = "https://ci.example.com/platform/ops/-/jobs/4242";

type IssueReport = JsonReport & {
  events?: Array<{ kind: string }>;
  issues?: Array<{ target: string; action: string; url?: string; error?: string }>;
};

describe("issue alerts on a real Swarm", () => {
  const target = uniqueStackName("issue");
  const web = `${target}-web`;
  const steady = `${target}-steady`;
  let work: string;
  let repo: TestRepo;
  let bare: string;
  let configFile: string;
  let forge: ForgeApi;
  const reportFile = () => path.join(work, "report.json");
  const issues = () => forge.issues("gitlab", "platform/ops");

  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), "croncd-issues-"));
    bare = await createBareRepo(work, "stacks.git");
    repo = await TestRepo.create(path.join(work, "checkout"), {
      [`stacks/${web}/compose.yaml`]: UNRENDERABLE,
      [`stacks/${steady}/compose.yaml`]: HEALTHY,
    });
    await repo.push(bare);
    forge = await ForgeApi.start();
    forge.grant(TOKEN, { user: { id: 601, login: "project_9_bot_croncd", bot: true } });
    configFile = await writeConfig(
      path.join(work, "config"),
      [{ name: "platform", url: bare }],
      [{ name: target, source: "platform", path: "stacks" }],
      {
        alerts: {
          issue: {
            gitlab: { project: "platform/ops", tokenEnv: "CRONCD_ISSUE_TOKEN" },
            labels: ["croncd", "prod"],
          },
        },
      },
    );
  });

  afterAll(async () => {
    await forge.stop();
    await removeAllStacks(target);
    await rm(work, { recursive: true, force: true });
  });

  const reconcile = async (expectedExit: number) => {
    const result = await runCroncd(["reconcile", "--config", configFile, "--report", reportFile()], {
      cwd: work,
      // The API URL comes from the job, as in GitLab CI.
      env: { CI_API_V4_URL: forge.gitlabApiUrl, CI_JOB_URL: JOB_URL, CRONCD_ISSUE_TOKEN: TOKEN },
    });
    expect(result.exitCode, result.output).toBe(expectedExit);
    expect(result.output).not.toContain(TOKEN);
    expect(await readFile(reportFile(), "utf8")).not.toContain(TOKEN);
    return { result, report: (await readReport(reportFile())) as IssueReport };
  };

  it("opens one issue on failure, leaves it alone on the same failure (state deleted or not), comments and closes it on recovery", async () => {
    const failing = await reconcile(1);
    const url = failing.report.issues?.[0]?.url;
    expect(failing.report.issues).toEqual([{ target, action: "opened", url: expect.any(String) as unknown }]);
    expect(url).toMatch(/\/platform\/ops\/-\/issues\/1$/);
    expect(failing.result.output).toContain(`issue for target ${target} opened: ${url}`);
    const [opened] = issues();
    expect(issues()).toHaveLength(1);
    expect(opened).toMatchObject({
      title: `croncd: target ${target} is failing`,
      labels: ["croncd", "prod"],
      state: "open",
    });
    expect(opened?.body).toContain(`| stack \`${web}\` |`);
    expect(opened?.body).toContain("APP_IMAGE is not set");
    expect(opened?.body).not.toContain(steady);
    expect(opened?.body).toContain(`[CI job](${JOB_URL})`);

    const same = await reconcile(1);
    expect(same.report.issues).toEqual([{ target, action: "unchanged", url }]);
    expect(issues()).toEqual([opened]);
    expect(forge.comments(opened?.thread ?? "")).toEqual([]);

    // croncd's alert state in the Swarm deleted: the run alerts again, but the issue is found by
    // its label and marker, so there is no second issue and nothing to say on the first.
    await docker(["config", "rm", `croncd-alerts-${target}`]);
    const stateless = await reconcile(1);
    expect(stateless.report.events?.map((event) => event.kind)).toEqual(["failed"]);
    expect(stateless.report.issues).toEqual([{ target, action: "unchanged", url }]);
    expect(issues()).toEqual([opened]);
    expect(forge.comments(opened?.thread ?? "")).toEqual([]);

    await repo.write(`stacks/${web}/compose.yaml`, HEALTHY);
    await repo.commit("web renders again");
    await repo.push(bare);
    const recovered = await reconcile(0);
    expect(recovered.report.issues).toEqual([{ target, action: "closed", url }]);
    expect(issues().map((issue) => issue.state)).toEqual(["closed"]);
    expect(forge.comments(opened?.thread ?? "").map((comment) => comment.body)).toEqual([
      expect.stringContaining(`Every failure of target \`${target}\` has recovered; closing.`),
    ]);

    const quiet = await reconcile(0);
    expect(quiet.report.issues).toEqual([{ target, action: "none" }]);
    expect(issues()).toHaveLength(1);
  });
});
