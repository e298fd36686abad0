// croncd's GitLab CI/CD components in a real GitLab pipeline run: a user's config repository whose
// .gitlab-ci.yml includes reconcile, prune, plan and validate (as the README shows, by component
// path), run by gitlab-ci-local's shell executor with the built croncd against the test Swarm. The
// pipeline source decides which jobs run, as on GitLab: a schedule reconciles, "Run pipeline" with the
// form's inputs prunes, a merge request plans.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import {
  docker,
  dockerHost,
  listServices,
  removeAllStacks,
  TEST_IMAGE,
  uniqueStackName,
} from "../helpers/docker.js";
import { ForgeApi } from "../helpers/forge-api/server.js";
import { GitLabProject } from "../helpers/gitlab-project.js";
import { validateJunitFile, xpath } from "../helpers/xmllint.js";

const prefix = uniqueStackName("gitlab");
const web = `${prefix}-web`;
const worker = `${prefix}-worker`;
const added = `${prefix}-added`;
const compose = `services:\n  app:\n    image: ${TEST_IMAGE}\n    command: ["sleep", "3600"]\n`;
// The project access token the plan component's comment-token-variable (CRONCD_GITLAB_TOKEN) names.
const NOTE_TOKEN = "glpat-plan-component-test";

// The user's pipeline: the prune form's fields are pipeline-level inputs, handed to the component.
const gitlabCi = (options: { failOnDrift: boolean } = { failOnDrift: false }) => `spec:
  inputs:
    prune-action:
      description: prune, suspend or resume.
      type: string
      default: prune
    prune-stack:
      description: The stack to remove.
      type: string
      default: ""
    prune-reason:
      description: Why, for suspend.
      type: string
      default: ""
    prune-target:
      description: Its target in croncd.yaml.
      type: string
      default: ""
    prune-dry-run:
      description: Only say what would be removed.
      type: boolean
      default: true
---
include:
  - component: $CI_SERVER_FQDN/$CI_PROJECT_PATH/reconcile@$CI_COMMIT_SHA
    inputs:
      environment: swarm-test
      fail-on-drift: ${options.failOnDrift}
  - component: $CI_SERVER_FQDN/$CI_PROJECT_PATH/prune@$CI_COMMIT_SHA
    inputs:
      environment: swarm-test
      action: $[[ inputs.prune-action ]]
      stack: $[[ inputs.prune-stack ]]
      target: $[[ inputs.prune-target ]]
      reason: $[[ inputs.prune-reason ]]
      dry-run: $[[ inputs.prune-dry-run ]]
  - component: $CI_SERVER_FQDN/$CI_PROJECT_PATH/plan@$CI_COMMIT_SHA
    inputs:
      environment: swarm-test
      source: config
  - component: $CI_SERVER_FQDN/$CI_PROJECT_PATH/validate@$CI_COMMIT_SHA
    inputs:
      source: config
`;

describe("GitLab components in a pipeline (gitlab-ci-local)", () => {
  let work: string;
  let project: GitLabProject;
  let forge: ForgeApi;
  let mergeRequest: string;
  // DOCKER_HOST reaches croncd the way an environment-scoped CI/CD variable does: croncd.yaml names no host.
  const variables = () => ({ DOCKER_HOST: dockerHost() });
  const services = (stack: string) => listServices(`com.docker.stack.namespace=${stack}`);
  const artifacts = (job: string) => path.join(project.dir, ".gitlab-ci-local", "artifacts", job);
  // What `artifacts:reports:dotenv` hands to later jobs of the pipeline.
  const dotenvReport = (job: string) =>
    readFile(path.join(artifacts(job), ".gitlab-ci-reports", "dotenv", "croncd.env"), "utf8");

  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), "croncd-gitlab-"));
    const projectDir = path.join(work, "config");
    const croncdYaml = stringify({
      sources: [{ name: "config", url: projectDir, ref: "main" }],
      targets: [{ name: prefix, type: "swarm", source: "config", path: "stacks", resolveImage: "never" }],
    });
    project = await GitLabProject.create(projectDir, {
      ".gitlab-ci.yml": gitlabCi(),
      "croncd.yaml": croncdYaml,
      [`stacks/${web}/compose.yaml`]: compose,
      [`stacks/${worker}/compose.yaml`]: compose,
    });
    // The plan fetches the merge request's commit by SHA, as from a GitLab server.
    await project.repo.git(["config", "uploadpack.allowAnySHA1InWant", "true"]);
    forge = await ForgeApi.start();
    forge.grant(NOTE_TOKEN, { user: { id: 71, login: "project_7_bot", bot: true } });
    mergeRequest = forge.openMergeRequest("7", 4);
  });

  afterAll(async () => {
    await forge.stop();
    await removeAllStacks(prefix);
    await rm(work, { recursive: true, force: true });
  });

  it("a scheduled pipeline runs only the reconcile job, which deploys every stack", async () => {
    const run = await project.runPipeline({ source: "schedule", variables: variables() });
    expect(run.jobs, run.output).toEqual({ "croncd-reconcile": "PASS" });
    expect(await services(web)).toHaveLength(1);
    expect(await services(worker)).toHaveLength(1);
    expect(await dotenvReport("croncd-reconcile")).toContain("CRONCD_CREATED=2");
  });

  it("drift changed by hand heals and shows as a warning, not a failed pipeline", async () => {
    await docker(["service", "update", "--detach", "--env-add", "CHANGED_BY_HAND=1", `${web}_app`]);
    const run = await project.runPipeline({ source: "schedule", variables: variables() });
    expect(run.jobs, run.output).toEqual({ "croncd-reconcile": "WARN" });
    const [app] = await services(web);
    expect(app?.Spec.TaskTemplate.ContainerSpec.Env ?? []).not.toContain("CHANGED_BY_HAND=1");
    expect(await dotenvReport("croncd-reconcile")).toContain("CRONCD_EXIT_CODE=2");
    // The JUnit file GitLab receives is valid and shows the drift as a failed test case.
    const junit = path.join(artifacts("croncd-reconcile"), "croncd-junit.xml");
    const validation = await validateJunitFile(junit);
    expect(validation.valid, validation.output).toBe(true);
    expect(await xpath(junit, `string(//testcase[@name='stack ${web}']/failure/@type)`)).toBe("drift");
  });

  it("with fail-on-drift: true, drift fails the job (and is still healed)", async () => {
    await project.repo.write(".gitlab-ci.yml", gitlabCi({ failOnDrift: true }));
    await project.repo.commit("drift fails the schedule");
    try {
      await docker(["service", "update", "--detach", "--env-add", "CHANGED_BY_HAND=2", `${web}_app`]);
      const run = await project.runPipeline({ source: "schedule", variables: variables() });
      expect(run.jobs, run.output).toEqual({ "croncd-reconcile": "FAIL" });
      expect(run.output).toContain(
        "croncd: the live state had drifted from git (exit code 2), and fail-on-drift is true",
      );
      const [app] = await services(web);
      expect(app?.Spec.TaskTemplate.ContainerSpec.Env ?? []).not.toContain("CHANGED_BY_HAND=2");
    } finally {
      await project.repo.write(".gitlab-ci.yml", gitlabCi());
      await project.repo.commit("drift is a warning again");
    }
  });

  it("the prune run with no stack in the form refuses and removes nothing", async () => {
    const run = await project.runPipeline({
      source: "web",
      variables: variables(),
      manual: ["croncd-prune"],
    });
    expect(run.jobs, run.output).toEqual({ "croncd-prune": "FAIL" });
    expect(run.output).toContain("croncd prune: no stack or release given, so nothing was changed");
    expect(await services(web)).toHaveLength(1);
    expect(await services(worker)).toHaveLength(1);
  });

  it("the same form suspends a stack (who: the job's user and URL) and resumes it, and the prune refuses it meanwhile", async () => {
    const job = {
      source: "web",
      variables: variables(),
      predefined: { GITLAB_USER_LOGIN: "alice", CI_JOB_URL: "https://gitlab.example.com/ops/-/jobs/9" },
      manual: ["croncd-prune"],
    };
    const suspended = await project.runPipeline({
      ...job,
      inputs: {
        "prune-action": "suspend",
        "prune-stack": web,
        "prune-target": prefix,
        "prune-reason": "incident 42",
      },
    });
    expect(suspended.jobs, suspended.output).toEqual({ "croncd-prune": "PASS" });
    expect(suspended.output).toContain(
      `stack ${web}: configured — suspended by alice (https://gitlab.example.com/ops/-/jobs/9) at `,
    );
    const refused = await project.runPipeline({
      ...job,
      inputs: { "prune-stack": web, "prune-target": prefix, "prune-dry-run": "false" },
    });
    expect(refused.jobs, refused.output).toEqual({ "croncd-prune": "FAIL" });
    expect(refused.output).toContain(`croncd resume --stack ${web} first, then prune`);
    const resumed = await project.runPipeline({
      ...job,
      inputs: { "prune-action": "resume", "prune-stack": web, "prune-target": prefix },
    });
    expect(resumed.jobs, resumed.output).toEqual({ "croncd-prune": "PASS" });
    expect(resumed.output).toContain(`stack ${web}: configured — resumed`);
    expect(await services(web)).toHaveLength(1);
  });

  it("the prune run removes exactly the stack named in the form", async () => {
    const run = await project.runPipeline({
      source: "web",
      variables: variables(),
      inputs: { "prune-stack": web, "prune-target": prefix, "prune-dry-run": "false" },
      manual: ["croncd-prune"],
    });
    expect(run.jobs, run.output).toEqual({ "croncd-prune": "PASS" });
    expect(run.output).toContain(`stack ${web}: deleted`);
    expect(await services(web)).toEqual([]);
    expect(await services(worker)).toHaveLength(1);
  });

  it("a merge request pipeline validates, plans the MR's commit and posts the plan as one note", async () => {
    // What GitLab sets in a merge request pipeline; the API is the loopback stand-in.
    const mergeRequestPipeline = {
      source: "merge_request_event",
      predefined: {
        GITLAB_CI: "true",
        CI_API_V4_URL: forge.gitlabApiUrl,
        CI_PROJECT_ID: "7",
        CI_MERGE_REQUEST_IID: "4",
      },
      variables: { ...variables(), CRONCD_GITLAB_TOKEN: NOTE_TOKEN },
    };
    await project.repo.checkout("add-a-stack", { create: true });
    await project.repo.write(`stacks/${added}/compose.yaml`, compose);
    await project.repo.commit("add a stack");
    const run = await project.runPipeline(mergeRequestPipeline);
    // Changes pending (exit 2) is a warning: the merge request deploys something.
    expect(run.jobs, run.output).toEqual({ "croncd-validate": "PASS", "croncd-plan": "WARN" });
    expect(run.output).toMatch(new RegExp(`stack ${added}: would create`));
    expect(forge.comments(mergeRequest)).toHaveLength(1);
    expect(forge.comments(mergeRequest)[0]!.body).toContain(added);
    expect(run.output).not.toContain(NOTE_TOKEN);
    // A plan changes nothing.
    expect(await services(added)).toEqual([]);

    // The next push edits the same note.
    await project.repo.remove(`stacks/${added}`);
    await project.repo.commit("drop the stack again");
    const again = await project.runPipeline(mergeRequestPipeline);
    expect(again.jobs["croncd-plan"], again.output).toBeDefined();
    const notes = forge.comments(mergeRequest);
    expect(notes).toHaveLength(1);
    expect(notes[0]!.body).not.toContain(added);
  });
});
