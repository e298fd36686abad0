/**
 * Reads croncd.yaml, validates it, and turns every problem into one message that names the field
 * path and line (`croncd.yaml:9: targets[0].source: no source named "platfrom"; known: platform`).
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import type * as z from "zod";
import { ConfigError } from "../errors.js";
import { parseYamlFile, type ParsedYaml } from "../compose/yaml-source.js";
import { configSchema, type CroncdConfig } from "./schema.js";
import { formatPath } from "../util/field-path.js";

export const DEFAULT_CONFIG_FILE = "croncd.yaml";

export interface LoadedConfig {
  config: CroncdConfig;
  /** Absolute path of the file read; local source paths are relative to its folder. */
  file: string;
}

export async function loadConfig(file: string = DEFAULT_CONFIG_FILE): Promise<LoadedConfig> {
  const absolute = path.resolve(file);
  let text: string;
  try {
    text = await readFile(absolute, "utf8");
  } catch (error) {
    throw new ConfigError("cannot read the configuration file", {
      subject: file,
      hint: "pass --config PATH, or run croncd where croncd.yaml is",
      cause: error,
    });
  }
  return { config: parseConfig(text, file), file: absolute };
}

export function parseConfig(text: string, file: string): CroncdConfig {
  let parsed: ParsedYaml;
  try {
    parsed = parseYamlFile(text, file, {
      what: "configuration file",
      emptyHint: "croncd.yaml declares sources: and targets: (see the README)",
    });
  } catch (error) {
    throw new ConfigError(error instanceof Error ? error.message : String(error), { cause: error });
  }
  const result = configSchema.safeParse(parsed.value);
  const problems = result.success ? [] : result.error.issues.map((issue) => describeIssue(issue, parsed));
  if (result.success) problems.push(...crossCheck(result.data, parsed));
  if (problems.length > 0 || !result.success) {
    // An annotation points at the first problem in the file.
    const lines = problems.flatMap((problem) => (problem.line === undefined ? [] : [problem.line]));
    const location = lines.length > 0 ? { file, line: Math.min(...lines) } : { file };
    throw new ConfigError(
      `invalid configuration:\n  ${problems.map((problem) => problem.text).join("\n  ")}`,
      {
        subject: file,
        location,
      },
    );
  }
  return result.data;
}

/** One problem of croncd.yaml: its text (with `line N: `) and the line as data. */
interface Problem {
  text: string;
  line: number | undefined;
}

/** Rules zod cannot see from one field: references between sections and unique names. */
function crossCheck(config: CroncdConfig, parsed: ParsedYaml): Problem[] {
  const problems: Problem[] = [];
  const sourceNames = config.sources.map((source) => source.name);
  const at = (fieldPath: (string | number)[], message: string) => problemAt(parsed, fieldPath, message);

  duplicates(sourceNames).forEach((index) =>
    problems.push(at(["sources", index, "name"], `duplicate source name "${sourceNames[index]}"`)),
  );
  const targetNames = config.targets.map((target) => target.name);
  duplicates(targetNames).forEach((index) =>
    problems.push(at(["targets", index, "name"], `duplicate target name "${targetNames[index]}"`)),
  );
  config.targets.forEach((target, index) => {
    if (!sourceNames.includes(target.source)) {
      problems.push(
        at(
          ["targets", index, "source"],
          `no source named "${target.source}"; known: ${sourceNames.join(", ")}`,
        ),
      );
    }
  });
  return problems;
}

function duplicates(names: string[]): number[] {
  return names.flatMap((value, index) => (names.indexOf(value) === index ? [] : [index]));
}

function describeIssue(issue: z.core.$ZodIssue, parsed: ParsedYaml): Problem {
  const fieldPath = issue.path.filter((part): part is string | number => typeof part !== "symbol");
  let message = issue.message;
  if (issue.code === "unrecognized_keys") {
    message = `unknown key${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `"${k}"`).join(", ")}`;
  } else if (issue.code === "invalid_type" && issue.input === undefined) {
    message = `required (expected ${issue.expected})`;
  }
  return problemAt(parsed, fieldPath, message);
}

function problemAt(parsed: ParsedYaml, fieldPath: (string | number)[], message: string): Problem {
  const line = parsed.lineOf(fieldPath);
  const prefix = line === undefined ? "" : `line ${line}: `;
  return { text: `${prefix}${formatPath(fieldPath)}: ${message}`, line };
}
