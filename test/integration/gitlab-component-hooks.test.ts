// The hooks every croncd component runs before croncd, in a real pipeline (gitlab-ci-local, shell
// executor): an SSH key from a CI/CD variable lands in an ssh-agent (for DOCKER_HOST=ssh://…),
// known_hosts is required with it, and a failed `docker login` names the input without showing the
// password. The validate component carries them here: it needs no Swarm.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { TEST_IMAGE } from "../helpers/docker.js";
import { GitLabProject } from "../helpers/gitlab-project.js";

const KEY_COMMENT = "croncd-hook-test-key";
const REGISTRY_PASSWORD = "s3cret-registry-password-for-the-hook-test";

const gitlabCi = (inputs: Record<string, unknown>) =>
  stringify({
    include: [
      {
        component: "$CI_SERVER_FQDN/$CI_PROJECT_PATH/validate@$CI_COMMIT_SHA",
        inputs: { source: "config", ...inputs },
      },
    ],
  });

describe("GitLab component hooks (gitlab-ci-local)", () => {
  let work: string;
  let privateKey: string;
  let projectCount = 0;

  /** A config repository whose pipeline includes validate with these inputs; HOME is the test's own. */
  async function projectWith(inputs: Record<string, unknown>): Promise<GitLabProject> {
    const dir = path.join(work, `config-${++projectCount}`);
    return GitLabProject.create(
      dir,
      {
        ".gitlab-ci.yml": gitlabCi(inputs),
        "croncd.yaml": stringify({
          sources: [{ name: "config", url: dir, ref: "main" }],
          targets: [{ name: "hooks", type: "swarm", source: "config", path: "stacks" }],
        }),
        "stacks/app/compose.yaml": `services:\n  app:\n    image: ${TEST_IMAGE}\n`,
      },
      { home: path.join(work, "home") },
    );
  }

  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), "croncd-gitlab-hooks-"));
    const keyFile = path.join(work, "id_ed25519");
    await execa("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", KEY_COMMENT, "-f", keyFile]);
    privateKey = await readFile(keyFile, "utf8");
  });

  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it("loads the SSH key from a CI/CD variable into an agent, and adds the known hosts", async () => {
    const project = await projectWith({
      "ssh-key-variable": "DEPLOY_SSH_KEY",
      "ssh-known-hosts-variable": "DEPLOY_KNOWN_HOSTS",
      "before-script": ["ssh-add -l", 'grep -c manager1 "$HOME/.ssh/known_hosts"'],
    });
    const run = await project.runPipeline({
      source: "push",
      predefined: { CI_COMMIT_BRANCH: "main" },
      variables: {
        DEPLOY_SSH_KEY: privateKey,
        DEPLOY_KNOWN_HOSTS:
          "manager1 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBnhVr0Q6Zp7c2y7Jx0Xy6v3o1m7f1o2f9hVb0c3d4e5",
      },
    });
    expect(run.jobs, run.output).toEqual({ "croncd-validate": "PASS" });
    expect(run.output).toContain(KEY_COMMENT);
    expect(run.output).not.toContain(privateKey.split("\n")[1]);
  });

  it("refuses an SSH key without known hosts before croncd runs", async () => {
    const project = await projectWith({ "ssh-key-variable": "DEPLOY_SSH_KEY" });
    const run = await project.runPipeline({
      source: "push",
      predefined: { CI_COMMIT_BRANCH: "main" },
      variables: { DEPLOY_SSH_KEY: privateKey },
    });
    expect(run.jobs, run.output).toEqual({ "croncd-validate": "FAIL" });
    expect(run.output).toContain("croncd hooks: ssh-key-variable is set but ssh-known-hosts-variable is not");
    expect(run.output).not.toContain("== pull sources");
  });

  it("a docker login that fails names the inputs and never shows the password", async () => {
    const project = await projectWith({
      // Nothing listens there: the login fails at once.
      registry: "127.0.0.1:9",
      "registry-user-variable": "REGISTRY_USER",
      "registry-password-variable": "REGISTRY_PASSWORD",
    });
    const run = await project.runPipeline({
      source: "push",
      predefined: { CI_COMMIT_BRANCH: "main" },
      variables: { REGISTRY_USER: "deployer", REGISTRY_PASSWORD },
    });
    expect(run.jobs, run.output).toEqual({ "croncd-validate": "FAIL" });
    expect(run.output).toContain(
      "croncd hooks: docker login to 127.0.0.1:9 failed (registry-user-variable / registry-password-variable)",
    );
    expect(run.output).not.toContain(REGISTRY_PASSWORD);
  });
});
