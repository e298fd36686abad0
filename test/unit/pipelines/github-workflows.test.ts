// The example workflows in pipelines/github/ are what users copy: their structure is checked here
// (GitHub itself only checks it when a workflow runs). Parsed as YAML, asserted field by field.
import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

interface Step {
  uses?: string;
  with?: Record<string, unknown>;
}
interface Job {
  if?: string;
  environment?: string;
  concurrency?: unknown;
  permissions?: unknown;
  steps: Step[];
}
interface Workflow {
  on: Record<string, unknown>;
  permissions?: Record<string, string>;
  concurrency?: { group: string; "cancel-in-progress": boolean };
  jobs: Record<string, Job>;
}

const root = new URL("../../../", import.meta.url);
const read = async <T>(file: string) => parse(await readFile(new URL(file, root), "utf8")) as T;
const workflow = (name: string) => read<Workflow>(`pipelines/github/${name}.yml`);

/** The first major version of actions/checkout that runs on node24 (node20 is gone from runners). */
const CHECKOUT_NODE24_MAJOR = 5;

function onlyJob(file: Workflow): Job {
  const jobs = Object.values(file.jobs);
  expect(jobs).toHaveLength(1);
  return jobs[0] as Job;
}

function croncdStep(job: Job): Step {
  const step = job.steps.find((candidate) => candidate.uses?.startsWith("croncd/croncd@"));
  expect(step, "a step that uses croncd/croncd").toBeDefined();
  return step as Step;
}

describe.each(["reconcile", "plan", "prune"])("example workflow %s.yml", (name) => {
  it("checks out with a node24 actions/checkout and no credentials left in .git/config", async () => {
    const job = onlyJob(await workflow(name));
    const checkout = job.steps.find((step) => step.uses?.startsWith("actions/checkout@"));
    const major = Number(/@v(\d+)$/.exec(checkout?.uses ?? "")?.[1]);
    expect(major).toBeGreaterThanOrEqual(CHECKOUT_NODE24_MAJOR);
    expect(checkout?.with?.["persist-credentials"]).toBe(false);
  });

  it("declares least-privilege permissions for the whole workflow, and none per job", async () => {
    const file = await workflow(name);
    const expected = name === "plan" ? { contents: "read", "pull-requests": "write" } : { contents: "read" };
    expect(file.permissions).toEqual(expected);
    expect(onlyJob(file).permissions).toBeUndefined();
  });

  it("passes croncd only inputs that action.yml declares", async () => {
    const action = await read<{ inputs: Record<string, unknown> }>("action.yml");
    const step = croncdStep(onlyJob(await workflow(name)));
    for (const input of Object.keys(step.with ?? {})) expect(Object.keys(action.inputs)).toContain(input);
  });
});

describe("example workflows, one by one", () => {
  it("reconcile: on a schedule, one run at a time, a running deploy never cancelled, the report uploaded", async () => {
    const file = await workflow("reconcile");
    expect(file.on.schedule).toEqual([{ cron: expect.any(String) as string }]);
    expect(file.concurrency).toEqual({ group: "croncd-reconcile", "cancel-in-progress": false });
    const job = onlyJob(file);
    expect(croncdStep(job).with?.command).toBe("reconcile");
    const upload = job.steps.find((step) => step.uses?.startsWith("actions/upload-artifact@"));
    expect(upload?.with?.path).toBe("${{ steps.croncd.outputs.report }}");
  });

  it("prune: a manual run asking for stack and target, behind an environment, in no concurrency group", async () => {
    const file = await workflow("prune");
    const dispatch = file.on.workflow_dispatch as { inputs: Record<string, Record<string, unknown>> };
    expect(dispatch.inputs.stack).toMatchObject({ type: "string", required: true });
    expect(dispatch.inputs.target).toMatchObject({ type: "choice", required: true });
    expect(dispatch.inputs.target?.options).toEqual(expect.arrayContaining([expect.any(String)]));
    expect(dispatch.inputs.dry_run).toMatchObject({ type: "boolean", default: true });
    expect(dispatch.inputs.action).toMatchObject({ type: "choice", default: "prune" });
    expect(dispatch.inputs.action?.options).toEqual(["prune", "suspend", "resume"]);
    expect(dispatch.inputs.reason).toMatchObject({ type: "string", default: "" });
    const job = onlyJob(file);
    // A queued prune in a shared group would be cancelled by the next queued run of that group.
    expect(file.concurrency).toBeUndefined();
    expect(job.concurrency).toBeUndefined();
    expect(job.environment).toBe("swarm-prune");
    expect(croncdStep(job).with).toEqual({
      command: "${{ inputs.action }}",
      stack: "${{ inputs.stack }}",
      targets: "${{ inputs.target }}",
      reason: "${{ inputs.action == 'suspend' && inputs.reason || '' }}",
      "dry-run": "${{ inputs.action == 'prune' && inputs.dry_run }}",
    });
  });

  it("plan: on pull requests of this repository, the PR's commit, posted as a comment; a new push cancels the old plan", async () => {
    const file = await workflow("plan");
    expect(Object.keys(file.on)).toEqual(["pull_request"]);
    expect(file.concurrency).toEqual({
      group: "croncd-plan-${{ github.event.pull_request.number }}",
      "cancel-in-progress": true,
    });
    const job = onlyJob(file);
    expect(job.if).toBe("github.event.pull_request.head.repo.full_name == github.repository");
    expect(croncdStep(job).with).toMatchObject({
      command: "plan",
      refs: "platform=${{ github.event.pull_request.head.sha }}",
      comment: true,
      token: "${{ github.token }}",
    });
  });
});
