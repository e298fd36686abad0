// `croncd render --out` writes exactly what would be deployed; only allow-listed CI variables
// reach compose files, and a `$` that comes out of a variable survives docker's own interpolation.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { runCroncd, writeConfig } from "../helpers/croncd.js";
import {
  docker,
  listServices,
  removeAllStacks,
  TEST_IMAGE,
  uniqueStackName,
  waitFor,
} from "../helpers/docker.js";
import { createBareRepo, TestRepo } from "../helpers/git-repo.js";

const stack = uniqueStackName("render");

const compose = `services:
  app:
    image: \${IMAGE}
    command: ["sleep", "3600"]
    environment:
      ALLOWED: \${CI_ALLOWED}
      FORBIDDEN: "[\${CI_FORBIDDEN}]"
      FROM_DOTENV: \${DOTENV_VALUE}
      DEFAULTED: \${MISSING:-fallback}
      TOKEN: \${CI_SECRET}
`;

describe("render and the CI environment allow-list", () => {
  let work: string;
  let configFile: string;
  const env = {
    CI_ALLOWED: "allowed-value",
    CI_FORBIDDEN: "must-not-leak",
    IMAGE: "not-this-one",
    CI_SECRET: "s3cr$t-va1ue",
  };

  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), "croncd-render-"));
    const bare = await createBareRepo(work, "stacks.git");
    const repo = await TestRepo.create(path.join(work, "checkout"), {
      [`stacks/${stack}/compose.yaml`]: compose,
      // Single quotes: a literal `$` in the value, which docker must not expand a second time.
      [`stacks/${stack}/.env`]: `IMAGE=${TEST_IMAGE}\nDOTENV_VALUE='cost: $5 and $HOME'\n`,
    });
    await repo.push(bare);
    configFile = await writeConfig(
      work,
      [{ name: "platform", url: bare }],
      [
        {
          name: stack,
          source: "platform",
          path: "stacks",
          env: ["CI_ALLOWED", "IMAGE"],
          secretEnv: ["CI_SECRET"],
        },
      ],
    );
  });

  afterAll(async () => {
    await removeAllStacks(stack);
    await rm(work, { recursive: true, force: true });
  });

  it("writes the rendered file with allow-listed variables only, and warns about the rest", async () => {
    const out = path.join(work, "out");
    const result = await runCroncd(["render", "--config", configFile, "--out", out], { cwd: work, env });
    expect(result.exitCode, result.output).toBe(0);
    const rendered = parse(await readFile(path.join(out, stack, stack, "compose.yaml"), "utf8")) as {
      services: { app: { image: string; environment: Record<string, string> } };
    };
    // The allow-listed CI variable wins over .env, as in docker compose.
    expect(rendered.services.app.image).toBe("not-this-one");
    expect(rendered.services.app.environment).toEqual({
      ALLOWED: "allowed-value",
      FORBIDDEN: "[]",
      FROM_DOTENV: "cost: $$5 and $$HOME",
      DEFAULTED: "fallback",
      TOKEN: "***",
    });
    expect(result.output).toContain('variable "CI_FORBIDDEN" is not set');
    expect(result.output).not.toContain("must-not-leak");
    const renderedText = await readFile(path.join(out, stack, stack, "compose.yaml"), "utf8");
    expect(renderedText).not.toContain("s3cr");
  });

  it("deploys values with `$` verbatim", async () => {
    const result = await runCroncd(["reconcile", "--config", configFile], {
      cwd: work,
      env: { ...env, IMAGE: TEST_IMAGE },
    });
    expect(result.exitCode, result.output).toBe(0);
    const [service] = await listServices(`com.docker.stack.namespace=${stack}`);
    const containerEnv = (service?.Spec.TaskTemplate.ContainerSpec as { Env?: string[] }).Env ?? [];
    expect(containerEnv).toContain("FROM_DOTENV=cost: $5 and $HOME");
    expect(containerEnv).toContain("FORBIDDEN=[]");
    // Masked in files and logs, but the container gets the real value, `$` and all.
    expect(containerEnv).toContain("TOKEN=s3cr$t-va1ue");
    // And the process inside the running container sees the same bytes.
    const container = await waitFor(
      async () =>
        (await docker(["ps", "-q", "--filter", `label=com.docker.swarm.service.name=${stack}_app`])).trim() ||
        undefined,
      { timeoutMs: 60_000, what: `a running container of ${stack}_app` },
    );
    expect(await docker(["exec", container, "env"])).toContain("FROM_DOTENV=cost: $5 and $HOME");
  });
});
