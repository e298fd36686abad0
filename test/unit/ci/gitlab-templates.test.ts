// What GitLab needs from croncd's CI/CD components and does not check itself until a user includes
// them (and what gitlab-ci-local does not enforce): typed, described inputs; no global keywords;
// croncd's own image at the component's version; resource_group; drift as a warning; the reports.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { componentNames, readComponent, REPO_ROOT, theJob } from "./gitlab-template-files.js";

const COMPONENTS = ["plan", "prune", "reconcile", "validate"];
/** Where croncd's release job publishes the CI image: $CI_REGISTRY_IMAGE of croncd on GitLab.com. */
const PUBLISHED_IMAGE_REPOSITORY = "registry.gitlab.com/croncd/croncd";
const INPUT_TYPES = ["string", "boolean", "array", "number"];
/** Keywords that would change every job of the pipeline that includes a component. */
const GLOBAL_KEYWORDS = [
  "default",
  "include",
  "stages",
  "variables",
  "workflow",
  "image",
  "services",
  "cache",
  "before_script",
  "after_script",
];

const hooksBlock = (text: string) => text.slice(text.indexOf("# HOOKS-BEGIN"), text.indexOf("# HOOKS-END"));

describe("GitLab CI/CD components (templates/)", () => {
  it("are reconcile, plan, prune and validate, where GitLab resolves components", () => {
    expect(componentNames()).toEqual(COMPONENTS);
    expect(existsSync(path.join(REPO_ROOT, "pipelines", "gitlab"))).toBe(false);
  });

  describe.each(COMPONENTS)("%s", (name) => {
    const component = readComponent(name);
    const job = theJob(component);
    const inputs = component.spec.inputs;

    it("declares every input with a description and a type, and defaults that fit them", () => {
      for (const [key, input] of Object.entries(inputs)) {
        expect(typeof input.description === "string" && input.description.length > 0, key).toBe(true);
        expect(INPUT_TYPES, key).toContain(input.type);
        if (input.default === undefined) continue;
        const actual = Array.isArray(input.default) ? "array" : typeof input.default;
        expect(actual, `${key}: default`).toBe(input.type);
        if (input.options) expect(input.options, `${key}: default`).toContain(input.default);
        if (input.regex && typeof input.default === "string") {
          expect(input.default, `${key}: default`).toMatch(new RegExp(input.regex));
        }
      }
    });

    it("closes every input that names a CI/CD variable or a croncd.yaml name with a regex", () => {
      const closed = Object.keys(inputs).filter((key) =>
        /-variable$|^(source|target|targets|stack|release)$/.test(key),
      );
      for (const key of closed) expect(inputs[key]!.regex, key).toBeTypeOf("string");
    });

    it("uses every input it declares and declares every input it uses", () => {
      const used = new Set(
        [...component.text.matchAll(/\$\[\[\s*inputs\.([\w-]+)/g)].map((match) => match[1]),
      );
      expect([...used].sort()).toEqual(Object.keys(inputs).sort());
    });

    it("adds no global keywords, and one job whose name is an input", () => {
      for (const keyword of GLOBAL_KEYWORDS) expect(Object.keys(component.body)).not.toContain(keyword);
      expect(Object.keys(component.body)).toEqual(["$[[ inputs.job-name ]]"]);
      expect(inputs["job-name"]!.default).toBe(`croncd-${name}`);
    });

    it("runs croncd's own image for the component's version, never latest nor the user's registry", () => {
      expect(component.spec.component).toContain("version");
      expect(job.image).toBe("$[[ inputs.image-repository ]]:$[[ component.version ]]");
      expect(inputs["image-repository"]!.default).toBe(PUBLISHED_IMAGE_REPOSITORY);
      expect(component.text).not.toMatch(/latest|CI_REGISTRY_IMAGE/);
    });

    it("keeps the JSON report, JUnit and dotenv reports even when croncd fails", () => {
      const artifacts = job.artifacts as {
        when: string;
        paths: string[];
        reports: { junit: string | string[]; dotenv: string };
      };
      expect(artifacts.when).toBe("always");
      expect(artifacts.paths).toContain("croncd-report.json");
      expect([artifacts.reports.junit].flat()).toContain("croncd-junit.xml");
      expect(artifacts.reports.dotenv).toBe("croncd.env");
      const script = (job.script as string[]).join("\n");
      for (const flag of ["--report croncd-report.json", "--junit croncd-junit.xml", "--dotenv croncd.env"]) {
        expect(script).toContain(flag);
      }
    });

    it("has the same SSH and docker login hooks as every other component", () => {
      expect(hooksBlock(component.text)).toBe(hooksBlock(readComponent("reconcile").text));
      // The hooks, then the user's own commands: each once.
      expect(job.before_script).toHaveLength(2);
      expect((job.before_script as unknown[])[1]).toBe("$[[ inputs.before-script ]]");
      // The registry password only reaches docker on stdin.
      expect(component.text).toContain("--password-stdin");
    });
  });

  it("reconcile runs on schedules, one at a time per resource group, in an environment, drift a warning", () => {
    const component = readComponent("reconcile");
    const job = theJob(component);
    expect(component.spec.inputs["run-if"]!.default).toBe('$CI_PIPELINE_SOURCE == "schedule"');
    expect(job.rules).toEqual([{ if: "$[[ inputs.run-if ]]" }]);
    expect(job.resource_group).toBe("$[[ inputs.resource-group ]]");
    expect(component.spec.inputs["resource-group"]!.default).toBe("croncd");
    expect(job.environment).toMatchObject({
      name: "$[[ inputs.environment ]]",
      deployment_tier: "$[[ inputs.environment-tier ]]",
    });
    expect((job.allow_failure as { exit_codes: number[] }).exit_codes).toContain(2);
    expect(job.interruptible).toBe(false);
    expect(component.spec.inputs["fail-on-drift"]).toMatchObject({ type: "boolean", default: false });
  });

  it("prune runs by hand, shares reconcile's resource group, and refuses without a stack or release", () => {
    const component = readComponent("prune");
    const job = theJob(component);
    expect(component.spec.inputs["run-if"]!.default).toBe('$CI_PIPELINE_SOURCE == "web"');
    expect(component.spec.inputs.when).toMatchObject({
      default: "manual",
      options: ["manual", "on_success"],
    });
    expect(job.resource_group).toBe("$[[ inputs.resource-group ]]");
    expect(component.spec.inputs["resource-group"]!.default).toBe(
      readComponent("reconcile").spec.inputs["resource-group"]!.default,
    );
    expect(component.spec.inputs["dry-run"]).toMatchObject({ type: "boolean", default: true });
    expect((job.script as string[]).join("\n")).toMatch(
      /-z "\$CRONCD_CI_STACK" \] && \[ -z "\$CRONCD_CI_RELEASE" \][\s\S]*exit 1/,
    );
    // No pipeline variables: a component must not set global variables (and new projects forbid them).
    expect(component.text).not.toMatch(/CRONCD_PRUNE_STACK/);
  });

  it("prune also suspends and resumes: dry-run goes to prune only, the reason to suspend only", () => {
    const component = readComponent("prune");
    expect(component.spec.inputs.action).toMatchObject({
      type: "string",
      default: "prune",
      options: ["prune", "suspend", "resume"],
    });
    expect(component.spec.inputs.reason).toMatchObject({ type: "string", default: "" });
    const script = (theJob(component).script as string[]).join("\n");
    expect(script).toContain('[ "$CRONCD_CI_ACTION" = prune ] && [ "$CRONCD_CI_DRY_RUN" = true ]');
    expect(script).toContain('[ "$CRONCD_CI_ACTION" = suspend ] && [ -n "$CRONCD_CI_REASON" ]');
    expect(script).toContain('croncd "$CRONCD_CI_ACTION" "$@"');
  });

  it("plan runs on merge requests, may be cancelled, validates, then plans the MR's commit with a comment", () => {
    const component = readComponent("plan");
    const job = theJob(component);
    expect(job.rules).toEqual([{ if: '$CI_PIPELINE_SOURCE == "merge_request_event"' }]);
    expect(job.interruptible).toBe(true);
    const script = (job.script as string[]).join("\n");
    expect(script.indexOf("croncd validate")).toBeLessThan(script.indexOf("croncd plan"));
    expect(script).toContain('--ref "$CRONCD_CI_SOURCE=$CI_COMMIT_SHA"');
    expect(script).toContain('--comment --comment-token-env "$CRONCD_CI_COMMENT_TOKEN_VARIABLE"');
    expect(component.spec.inputs["comment-token-variable"]!.description).toMatch(/CI_JOB_TOKEN cannot/);
    expect((job.allow_failure as { exit_codes: number[] }).exit_codes).toContain(2);
  });
});

describe("croncd's own .gitlab-ci.yml", () => {
  const pipeline = parse(readFileSync(path.join(REPO_ROOT, ".gitlab-ci.yml"), "utf8")) as Record<
    string,
    Record<string, unknown>
  >;

  it("tests the components from this very commit, in branch pipelines only", () => {
    expect(pipeline.include).toContainEqual(
      expect.objectContaining({ component: "$CI_SERVER_FQDN/$CI_PROJECT_PATH/validate@$CI_COMMIT_SHA" }),
    );
    // The component's own merge request rule would start merge request pipelines without the CI
    // image job it needs (jobs without rules are not in them); gitlab-ci-local cannot show this.
    expect(pipeline["component-validate"]!.rules).toEqual([{ if: "$CI_COMMIT_BRANCH" }]);
  });

  it("publishes the CI image the components default to under the tag's version, and releases on a semver tag", () => {
    const semverTag = [{ if: "$CI_COMMIT_TAG =~ /^\\d+\\.\\d+\\.\\d+$/" }];
    expect(pipeline["release-image"]!.rules).toEqual(semverTag);
    expect(pipeline["release-image"]!.script).toContain('docker push "$CI_REGISTRY_IMAGE:$CI_COMMIT_TAG"');
    expect(pipeline.release!.rules).toEqual(semverTag);
    expect(pipeline.release!.release).toMatchObject({ tag_name: "$CI_COMMIT_TAG" });
  });
});
