// croncd's own .gitlab-ci.yml as GitLab would build its pipelines (gitlab-ci-local --list-json, no job
// runs): the components are included from the commit being tested, and only a semver tag releases.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GitLabProject } from "../../helpers/gitlab-project.js";
import { REPO_ROOT } from "./gitlab-template-files.js";

describe("croncd's own pipeline (gitlab-ci-local)", () => {
  let work: string;
  let project: GitLabProject;

  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), "croncd-own-pipeline-"));
    project = await GitLabProject.create(path.join(work, "croncd"), {
      ".gitlab-ci.yml": await readFile(path.join(REPO_ROOT, ".gitlab-ci.yml"), "utf8"),
    });
  });

  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it("a branch push builds, tests, builds the CI image and runs the validate component of this commit", async () => {
    const jobs = await project.listJobs({ source: "push", predefined: { CI_COMMIT_BRANCH: "main" } });
    expect(jobs).toEqual({
      build: "on_success",
      test: "on_success",
      "ci-image": "on_success",
      "component-validate": "on_success",
    });
  });

  it("a semver tag publishes the CI image for that version and creates the release", async () => {
    const tag = { CI_COMMIT_TAG: "1.2.3", CI_COMMIT_BRANCH: "" };
    expect(Object.keys(await project.listJobs({ source: "push", predefined: tag }))).toEqual([
      "build",
      "test",
      "ci-image",
      "release-image",
      "release",
    ]);
  });

  it("a tag that is not semver (the CI/CD Catalog refuses it) releases nothing", async () => {
    const jobs = await project.listJobs({
      source: "push",
      predefined: { CI_COMMIT_TAG: "v1.2", CI_COMMIT_BRANCH: "" },
    });
    expect(Object.keys(jobs)).not.toContain("release");
    expect(Object.keys(jobs)).not.toContain("release-image");
  });
});
