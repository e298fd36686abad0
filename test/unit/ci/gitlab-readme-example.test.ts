// The README's example .gitlab-ci.yml for a config repository, as GitLab would build its pipelines
// (gitlab-ci-local --list-json): each pipeline source gets the components' jobs the README says
// it does. The example includes croncd by its project path and a release; here the same components
// come from this checkout.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GitLabProject } from "../../helpers/gitlab-project.js";
import { REPO_ROOT } from "./gitlab-template-files.js";

const EXAMPLE_INTRO = "A config repository's `.gitlab-ci.yml`";

async function readmeExample(): Promise<string> {
  const readme = await readFile(path.join(REPO_ROOT, "README.md"), "utf8");
  const start = readme.indexOf("```yaml\n", readme.indexOf(EXAMPLE_INTRO)) + "```yaml\n".length;
  const example = readme.slice(start, readme.indexOf("```\n", start));
  expect(example).toMatch(/\$CI_SERVER_FQDN\/platform\/croncd\/reconcile@\d+\.\d+\.\d+/);
  return example.replaceAll(
    /\$CI_SERVER_FQDN\/platform\/croncd\/([a-z]+)@\d+\.\d+\.\d+/g,
    "$CI_SERVER_FQDN/$CI_PROJECT_PATH/$1@$CI_COMMIT_SHA",
  );
}

describe("the README's GitLab example", () => {
  let work: string;
  let project: GitLabProject;

  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), "croncd-readme-gitlab-"));
    project = await GitLabProject.create(path.join(work, "config"), {
      ".gitlab-ci.yml": await readmeExample(),
    });
  });

  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it("a schedule reconciles", async () => {
    expect(await project.listJobs({ source: "schedule" })).toEqual({ "croncd-reconcile": "on_success" });
  });

  it("Run pipeline offers the prune as a manual job", async () => {
    const jobs = await project.listJobs({ source: "web", inputs: { "prune-stack": "web" } });
    expect(jobs).toEqual({ "croncd-prune": "manual" });
  });

  it("a merge request validates and plans", async () => {
    expect(await project.listJobs({ source: "merge_request_event" })).toEqual({
      "croncd-plan": "on_success",
      "croncd-validate": "on_success",
    });
  });

  it("a branch push validates", async () => {
    const jobs = await project.listJobs({ source: "push", predefined: { CI_COMMIT_BRANCH: "main" } });
    expect(jobs).toEqual({ "croncd-validate": "on_success" });
  });
});
