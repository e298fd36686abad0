// croncd's render judges real public compose files as docker does. Every file of
// test/fixtures/compose-corpus goes through the real `croncd render` (each in its own stack
// folder of a real git repository) and through docker's own reader, `docker stack config`:
//  - accepted by croncd => docker reads croncd's rendered file without complaint;
//  - refused by croncd => docker refuses the original too, or every reason croncd gives is one
//    of the Swarm-level rules that `docker stack config` cannot see (it reads, it never deploys).
// The manifest's expected verdict and rules pin croncd's judgement file by file.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readReport, runCroncd, writeConfig, type JsonReport } from "../helpers/croncd.js";
import { dockerHost } from "../helpers/docker.js";
import { createBareRepo, TestRepo } from "../helpers/git-repo.js";

const CORPUS = fileURLToPath(new URL("../fixtures/compose-corpus/", import.meta.url));

interface CorpusFile {
  id: string;
  project: string;
  origin: { repo: string; path: string; commit: string };
  licence: string;
  standIns?: Record<string, string>;
  variables?: Record<string, string>;
  expected: { verdict: "accepted" } | { verdict: "refused"; rules: RuleName[] };
}

/** What each documented rule says in croncd's message (README "What validate checks"). */
const RULE_TEXT = {
  "build-without-image": "has build: but no image",
  "image-reference": "is not an image reference docker stack deploy accepts",
  "relative-bind-mount": "is relative: docker stack deploy resolves it on the CI runner",
  "swarm-name": "Swarm requires",
  "long-depends-on": "long form of depends_on",
  "unsupported-key": "is not supported by docker stack deploy",
  "unknown-key": "unknown key",
  "compose-version": "docker stack deploy reads format 3 only",
  "volume-spec": "empty part between colons",
  "undeclared-reference": "is not declared under the top-level",
  "published-port": "Swarm refuses a",
} as const;
type RuleName = keyof typeof RULE_TEXT;

/** Rules `docker stack deploy` and Swarm apply beyond what `docker stack config` checks. */
const SWARM_LEVEL_RULES: readonly RuleName[] = [
  "build-without-image",
  "image-reference",
  "relative-bind-mount",
  "swarm-name",
  "undeclared-reference",
  "published-port",
];

const manifest = JSON.parse(await readFile(path.join(CORPUS, "manifest.json"), "utf8")) as {
  files: CorpusFile[];
};

const TARGET = "corpus";

/** docker's own reader, as croncd's CI job would run it: in the stack's folder, from stdin or a file. */
async function dockerStackConfig(
  stackDir: string,
  source: { file: string } | { input: string },
  variables: Record<string, string> = {},
): Promise<{ exitCode: number; stderr: string }> {
  const args = ["stack", "config", "-c", "file" in source ? source.file : "-"];
  const result = await execa("docker", args, {
    cwd: stackDir,
    input: "input" in source ? source.input : undefined,
    // Only the variables the file needs: the test machine's own must not change docker's reading.
    env: { ...variables, DOCKER_HOST: dockerHost(), PATH: process.env.PATH ?? "" },
    extendEnv: false,
    reject: false,
    timeout: 60_000,
  });
  return { exitCode: result.exitCode ?? -1, stderr: String(result.stderr) };
}

/** The problems listed in a refusal, one per line (or the single message of a one-line error). */
function problems(reason: string): string[] {
  const listed = reason.split("\n").slice(1);
  return listed.length > 0 ? listed : [reason];
}

describe("the compose corpus: croncd render agrees with docker's reader", () => {
  let work: string;
  let checkout: string;
  let report: JsonReport;
  let renderOutput: string;

  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), "croncd-corpus-"));
    const files: Record<string, string | Buffer> = {};
    for (const entry of manifest.files) {
      const dir = `stacks/${entry.id}`;
      files[`${dir}/compose.yaml`] = await readFile(path.join(CORPUS, entry.id, "compose.yaml"));
      for (const [name, content] of Object.entries(entry.standIns ?? {})) files[`${dir}/${name}`] = content;
      const variables = Object.entries(entry.variables ?? {});
      if (variables.length > 0) files[`${dir}/.env`] = variables.map(([k, v]) => `${k}=${v}\n`).join("");
    }
    const bare = await createBareRepo(work, "corpus.git");
    const repo = await TestRepo.create(path.join(work, "checkout"), files);
    await repo.push(bare);
    checkout = repo.dir;
    const config = await writeConfig(
      work,
      [{ name: "corpus", url: bare }],
      [{ name: TARGET, source: "corpus", path: "stacks" }],
    );
    const reportFile = path.join(work, "report.json");
    const out = path.join(work, "out");
    renderOutput = (
      await runCroncd(["render", "--config", config, "--out", out, "--report", reportFile], { cwd: work })
    ).output;
    report = await readReport(reportFile);
  });

  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it("holds at least 40 files from at least 6 projects, each with its origin and licence", () => {
    expect(manifest.files.length).toBeGreaterThanOrEqual(40);
    expect(new Set(manifest.files.map((entry) => entry.project)).size).toBeGreaterThanOrEqual(6);
    for (const entry of manifest.files) {
      expect(entry.origin.repo, entry.id).toMatch(/^[\w.-]+\/[\w.-]+$/);
      expect(entry.origin.commit, entry.id).toMatch(/^[0-9a-f]{40}$/);
      expect(entry.licence, entry.id).not.toBe("");
    }
  });

  it.each(manifest.files.map((entry) => [entry.id, entry] as const))("%s", async (id, entry) => {
    const result = report.entries.find((item) => item.kind === "stack" && item.name === id);
    expect(result, `no report entry for ${id}:\n${renderOutput}`).toBeDefined();
    if (!result) return;
    const verdict = result.action === "failed" ? "refused" : "accepted";
    expect(verdict, result.reason).toBe(entry.expected.verdict);
    const stackDir = path.join(checkout, "stacks", id);

    if (entry.expected.verdict === "accepted") {
      const rendered = await readFile(path.join(work, "out", TARGET, id, "compose.yaml"), "utf8");
      const docker = await dockerStackConfig(stackDir, { input: rendered });
      expect(docker.exitCode, `docker refuses croncd's rendered file: ${docker.stderr}`).toBe(0);
      return;
    }

    for (const rule of entry.expected.rules) expect(result.reason).toContain(RULE_TEXT[rule]);
    const original = await dockerStackConfig(stackDir, { file: "compose.yaml" }, entry.variables);
    if (original.exitCode !== 0) return;
    // docker's reader accepts the original: then each reason must be one Swarm itself enforces.
    for (const problem of problems(result.reason)) {
      const swarmLevel = SWARM_LEVEL_RULES.some((rule) => problem.includes(RULE_TEXT[rule]));
      expect(swarmLevel, `croncd refuses a file docker reads, for a reason Swarm would not: ${problem}`).toBe(
        true,
      );
    }
  });
});
