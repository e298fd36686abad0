// A GitLab project on disk that gitlab-ci-local (the real npm package, shell executor, offline) runs
// pipelines in, the way a user's config repository includes croncd's CI/CD components.
//
// gitlab-ci-local treats `include: component: $CI_SERVER_FQDN/$CI_PROJECT_PATH/<name>@$CI_COMMIT_SHA`
// as local only when the project's `origin` is a GitLab-style remote with `refs/remotes/origin/HEAD`
// set; anything else it fetches over the network, which fails here. So the project gets such a
// remote (never contacted) and a copy of croncd's templates/ as they are in this checkout.
import { chmod, cp, mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import { TestRepo } from "./git-repo.js";

const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
const GITLAB_CI_LOCAL = path.join(REPO_ROOT, "node_modules", ".bin", "gitlab-ci-local");
const CRONCD_BIN = path.join(REPO_ROOT, "bin", "croncd.js");

/** The remote gitlab-ci-local reads CI_SERVER_FQDN and CI_PROJECT_PATH from. */
export const GITLAB_REMOTE = "git@gitlab.example.com:group/config.git";

/** How a job ended, as gitlab-ci-local's summary says: WARN is a failure the job allows. */
export type JobStatus = "PASS" | "WARN" | "FAIL";

export interface PipelineRun {
  /** Every job that ran, by name. Jobs the rules left out, and manual jobs not started, are absent. */
  jobs: Record<string, JobStatus>;
  /** gitlab-ci-local's whole output (job logs included), for assertions and failure messages. */
  output: string;
}

export interface PipelineOptions {
  /** CI_PIPELINE_SOURCE: schedule, web, merge_request_event, push. */
  source: string;
  /** Pipeline-level inputs (`spec:inputs` of .gitlab-ci.yml), as the "Run pipeline" form sets them. */
  inputs?: Record<string, string>;
  /** Predefined variables GitLab would set differently for this pipeline (CI_COMMIT_TAG, CI_COMMIT_BRANCH). */
  predefined?: Record<string, string>;
  /** CI/CD variables of the project (environment-scoped ones included). */
  variables?: Record<string, string>;
  /** Manual jobs to start, as a person clicking "play" would. */
  manual?: string[];
}

export interface GitLabProjectOptions {
  /** HOME for gitlab-ci-local and its shell jobs, for jobs that write to ~ (the SSH hook's known_hosts). */
  home?: string;
}

export class GitLabProject {
  private constructor(
    readonly repo: TestRepo,
    private readonly binDir: string,
    private readonly home: string | undefined,
  ) {}

  get dir(): string {
    return this.repo.dir;
  }

  /**
   * Creates the project in `dir`: `files` plus croncd's templates/, committed on main, with a
   * GitLab-style origin. `croncd` on the jobs' PATH is this checkout's built CLI.
   */
  static async create(
    dir: string,
    files: Record<string, string>,
    options: GitLabProjectOptions = {},
  ): Promise<GitLabProject> {
    const repo = await TestRepo.create(dir);
    await cp(path.join(REPO_ROOT, "templates"), path.join(dir, "templates"), { recursive: true });
    for (const [file, content] of Object.entries(files)) await repo.write(file, content);
    // gitlab-ci-local keeps its state and job folders in the project: not part of the project.
    await repo.write(".gitignore", ".gitlab-ci-local/\n");
    await repo.commit("config repository with croncd's components");
    await repo.git(["remote", "add", "origin", GITLAB_REMOTE]);
    // gitlab-ci-local reads the default branch from origin/HEAD; nothing is ever fetched from origin.
    await repo.git(["update-ref", "refs/remotes/origin/main", "HEAD"]);
    await repo.git(["symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/main"]);
    const binDir = path.join(path.dirname(repo.dir), `${path.basename(repo.dir)}-bin`);
    const project = new GitLabProject(repo, binDir, options.home);
    if (options.home) await mkdir(options.home, { recursive: true });
    await mkdir(project.binDir, { recursive: true });
    const wrapper = path.join(project.binDir, "croncd");
    await writeFile(wrapper, `#!/bin/sh\nexec node ${JSON.stringify(CRONCD_BIN)} "$@"\n`);
    await chmod(wrapper, 0o755);
    return project;
  }

  /** Runs the project's .gitlab-ci.yml once with gitlab-ci-local's shell executor. */
  async runPipeline(options: PipelineOptions): Promise<PipelineRun> {
    const args = ["--force-shell-executor", "--no-color", ...pipelineArgs(options)];
    for (const job of options.manual ?? []) args.push("--manual", job);
    const result = await this.gitlabCiLocal(args);
    const output = String(result.all);
    return { jobs: jobStatuses(output), output };
  }

  /**
   * The jobs a pipeline would have and when each runs (`on_success`, `manual`, …), without running
   * any; jobs the rules leave out are absent. Fails with gitlab-ci-local's message if the
   * configuration is invalid.
   */
  async listJobs(options: PipelineOptions): Promise<Record<string, string>> {
    const result = await this.gitlabCiLocal(["--list-json", ...pipelineArgs(options)]);
    if (result.exitCode !== 0) throw new Error(`gitlab-ci-local --list-json failed: ${String(result.all)}`);
    const jobs = JSON.parse(String(result.stdout)) as { name: string; when: string }[];
    return Object.fromEntries(jobs.filter((job) => job.when !== "never").map((job) => [job.name, job.when]));
  }

  private gitlabCiLocal(args: string[]) {
    return execa(GITLAB_CI_LOCAL, args, {
      cwd: this.dir,
      env: {
        PATH: `${this.binDir}:${process.env.PATH ?? ""}`,
        GITLAB_CI: "",
        GITHUB_ACTIONS: "",
        ...(this.home ? { HOME: this.home } : {}),
      },
      all: true,
      reject: false,
      timeout: 300_000,
    });
  }
}

/**
 * Reads the summary gitlab-ci-local prints after a pipeline: one ` PASS  job` line per job (padded,
 * and a WARN line names the phase after two spaces).
 */
export function jobStatuses(output: string): Record<string, JobStatus> {
  const jobs: Record<string, JobStatus> = {};
  for (const match of output.matchAll(/^ (PASS|WARN|FAIL) {2}(\S+(?: \S+)*)(?: {2,}.*| *)$/gm)) {
    jobs[match[2]!] = match[1] as JobStatus;
  }
  return jobs;
}

/** What sets up a pipeline as GitLab would for its source: predefined variables, variables, inputs. */
function pipelineArgs(options: PipelineOptions): string[] {
  const predefined = { CI_PIPELINE_SOURCE: options.source, ...options.predefined };
  // These predefined variables are what the rules look at: setting them is the point.
  const args = ["--ignore-predefined-vars", Object.keys(predefined).join(",")];
  for (const [key, value] of Object.entries({ ...predefined, ...options.variables })) {
    args.push("--variable", `${key}=${value}`);
  }
  for (const [key, value] of Object.entries(options.inputs ?? {})) args.push("--input", `${key}=${value}`);
  return args;
}
