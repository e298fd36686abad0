// --junit and --dotenv as a GitLab job uses them, with the real CLI on the test Swarm: a run with
// a broken stack, a good one and one changed by hand writes a JUnit file that passes the JUnit XML
// schema and names each cause (and where it sits), a dotenv file with the run's counts, and a
// JSON report whose failed entry carries its location. validate writes them too, even when
// croncd.yaml itself is broken; a report path that cannot be written stops the run before it starts.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readReport, runCroncd, writeConfig } from "../helpers/croncd.js";
import { docker, listServices, removeAllStacks, TEST_IMAGE, uniqueStackName } from "../helpers/docker.js";
import { createBareRepo, TestRepo } from "../helpers/git-repo.js";
import { validateJunitFile, xpath } from "../helpers/xmllint.js";

const prefix = uniqueStackName("reports");
const good = `${prefix}-good`;
const drifted = `${prefix}-drift`;
const broken = `${prefix}-broken`;

const serviceCompose = `services:
  app:
    image: ${TEST_IMAGE}
    command: ["sleep", "3600"]
`;
// Line 5 asks for a variable nobody sets: the stack cannot render.
const brokenCompose = `services:
  app:
    image: ${TEST_IMAGE}
    environment:
      DB_URL: \${DB_URL:?set DB_URL in the stack's .env}
`;

describe("CI reports: --junit and --dotenv", () => {
  let work: string;
  let config: string;

  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), "croncd-ci-reports-"));
    const bare = await createBareRepo(work, "stacks.git");
    const repo = await TestRepo.create(path.join(work, "checkout"), {
      [`stacks/${good}/compose.yaml`]: serviceCompose,
      [`stacks/${drifted}/compose.yaml`]: serviceCompose,
      [`stacks/${broken}/compose.yaml`]: brokenCompose,
    });
    await repo.push(bare);
    config = await writeConfig(
      work,
      [{ name: "platform", url: bare }],
      [{ name: "prod", source: "platform", path: "stacks" }],
    );
    const first = await runCroncd(["reconcile", "--config", config], { cwd: work });
    // The broken stack fails; the other two are deployed all the same.
    expect(first.exitCode, first.output).toBe(1);
    expect(first.output).toContain(`stack ${good}: created`);
    expect(first.output).toContain(`stack ${drifted}: created`);
  });

  afterAll(async () => {
    await removeAllStacks(prefix);
    await rm(work, { recursive: true, force: true });
  });

  it("reconcile: a valid JUnit file naming each cause, a dotenv file with the counts, the location in JSON", async () => {
    await docker(["service", "scale", "--detach", `${drifted}_app=2`]);
    const junit = path.join(work, "junit.xml");
    const dotenv = path.join(work, "croncd.env");
    const report = path.join(work, "report.json");
    const result = await runCroncd(
      ["reconcile", "--config", config, "--junit", junit, "--dotenv", dotenv, "--report", report],
      { cwd: work },
    );
    expect(result.exitCode, result.output).toBe(1);

    const validation = await validateJunitFile(junit);
    expect(validation.valid, validation.output).toBe(true);
    const testcase = (name: string) =>
      `//testsuite[@name='prod']/testcase[@classname='prod'][@name='stack ${name}']`;
    expect(await xpath(junit, "count(//testsuite[@name='prod']/testcase)")).toBe("3");
    expect(await xpath(junit, `string(${testcase(broken)}/failure/@type)`)).toBe("failed");
    expect(await xpath(junit, `string(${testcase(broken)}/failure/@message)`)).toContain(
      "required variable DB_URL is missing a value: set DB_URL in the stack's .env",
    );
    expect(await xpath(junit, `string(${testcase(broken)}/failure)`)).toContain(
      `at stacks/${broken}/compose.yaml:5`,
    );
    expect(await xpath(junit, `string(${testcase(drifted)}/failure/@type)`)).toBe("drift");
    expect(await xpath(junit, `string(${testcase(drifted)}/failure)`)).toContain("replicas");
    expect(await xpath(junit, `count(${testcase(good)}/*)`)).toBe("0");
    expect(await xpath(junit, "string(//testsuite[@name='prod']/@failures)")).toBe("2");

    expect(await readFile(dotenv, "utf8")).toBe(
      [
        "CRONCD_EXIT_CODE=1",
        "CRONCD_CREATED=0",
        "CRONCD_CONFIGURED=1",
        "CRONCD_UNCHANGED=1",
        "CRONCD_DELETED=0",
        "CRONCD_SKIPPED=0",
        "CRONCD_FAILED=1",
        "CRONCD_DRIFTED=1",
        "",
      ].join("\n"),
    );

    const json = await readReport(report);
    expect(json.entries.find((entry) => entry.name === broken)).toMatchObject({
      action: "failed",
      location: { file: `stacks/${broken}/compose.yaml`, line: 5 },
    });
  });

  it("validate with a broken stack writes the JUnit file too: the broken stack fails, the valid ones pass", async () => {
    const junit = path.join(work, "validate.xml");
    const dotenv = path.join(work, "validate.env");
    const result = await runCroncd(["validate", "--config", config, "--junit", junit, "--dotenv", dotenv], {
      cwd: work,
    });
    expect(result.exitCode, result.output).toBe(1);
    const validation = await validateJunitFile(junit);
    expect(validation.valid, validation.output).toBe(true);
    expect(await xpath(junit, `string(//testcase[@name='stack ${broken}']/failure/@message)`)).toContain(
      "required variable DB_URL is missing a value",
    );
    expect(await xpath(junit, "count(//testcase[failure])")).toBe("1");
    expect(await xpath(junit, "count(//testcase[not(*)])")).toBe("2");
    expect(await readFile(dotenv, "utf8")).toContain("CRONCD_FAILED=1\n");
  });

  it("a broken croncd.yaml still gives a JUnit file: the run is one failed test case pointing at the line", async () => {
    const badConfig = path.join(work, "bad-croncd.yaml");
    // Line 3 repeats a key.
    await writeFile(badConfig, "sources:\n  - name: platform\n    name: again\n");
    const junit = path.join(work, "bad-config.xml");
    const report = path.join(work, "bad-config.json");
    const result = await runCroncd(
      ["validate", "--config", badConfig, "--junit", junit, "--report", report],
      {
        cwd: work,
      },
    );
    expect(result.exitCode, result.output).toBe(1);
    const validation = await validateJunitFile(junit);
    expect(validation.valid, validation.output).toBe(true);
    expect(await xpath(junit, "string(//testcase/@name)")).toBe("run validate");
    expect(await xpath(junit, "string(//testcase/failure/@type)")).toBe("failed");
    const json = await readReport(report);
    expect(json.entries[0]).toMatchObject({ kind: "run", location: { file: badConfig, line: 3 } });
  });

  it("prune --dry-run writes them too: the stack it would remove is a skipped test case", async () => {
    const junit = path.join(work, "prune.xml");
    const dotenv = path.join(work, "prune.env");
    const result = await runCroncd(
      ["prune", "--config", config, "--stack", good, "--dry-run", "--junit", junit, "--dotenv", dotenv],
      { cwd: work },
    );
    expect(result.exitCode, result.output).toBe(0);
    const validation = await validateJunitFile(junit);
    expect(validation.valid, validation.output).toBe(true);
    expect(await xpath(junit, `string(//testcase[@name='stack ${good}']/skipped/@message)`)).toContain(
      "dry run: would remove the stack",
    );
    expect(await readFile(dotenv, "utf8")).toContain("CRONCD_EXIT_CODE=0\nCRONCD_CREATED=0\n");
    expect(await readFile(dotenv, "utf8")).toContain("CRONCD_SKIPPED=1\n");
  });

  it("a --junit or --dotenv path that cannot be written: exit 1 before anything runs", async () => {
    for (const option of ["--junit", "--dotenv"]) {
      const file = path.join(work, "no-such-folder", "out");
      await docker(["service", "scale", "--detach", `${drifted}_app=3`]);
      const result = await runCroncd(["reconcile", "--config", config, option, file], { cwd: work });
      expect(result.exitCode, result.output).toBe(1);
      expect(result.output).toContain(
        `error: ${option} ${file}: its folder ${path.dirname(file)} does not exist`,
      );
      expect(result.output).not.toContain("== pull sources");
      // Nothing was healed: the run never started.
      const [service] = await listServices(`com.docker.stack.namespace=${drifted}`);
      expect(service?.Spec?.Mode?.Replicated?.Replicas).toBe(3);
    }
  });

  it("one file for two reports is refused before anything runs", async () => {
    const file = path.join(work, "same.out");
    const result = await runCroncd(["validate", "--config", config, "--junit", file, "--report", file], {
      cwd: work,
    });
    expect(result.exitCode, result.output).toBe(1);
    expect(result.output).toContain(
      `--junit ${file}: is also given to --report (give each report its own file)`,
    );
  });
});
