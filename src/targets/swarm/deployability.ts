/**
 * Everything that keeps `docker stack deploy` and Swarm from creating a stack, in one list: the
 * rules of the Compose format the file declares, as docker's stack loader applies them; the
 * Compose specification's types and formats; and Swarm's own rules (names, images, bind mounts).
 */
import { validateCompose, type SchemaIssue } from "../../compose/schema.js";
import { validateStackFormat } from "../../compose/stack-format/check.js";
import { swarmRuleIssues } from "./swarm-rules.js";

export interface DeployabilityOptions {
  stackName: string;
  /** croncd's own top-level keys (x-croncd, name), removed before docker sees the file. */
  ownTopLevelKeys: readonly string[];
}

export function deployabilityIssues(
  document: Record<string, unknown>,
  options: DeployabilityOptions,
): SchemaIssue[] {
  const stackFormat = validateStackFormat(document, { ownTopLevelKeys: options.ownTopLevelKeys });
  const refused = new Set(stackFormat.map((issue) => issueId(issue)));
  // Which keys exist is the stack loader's table to say (it covers every mapping docker checks):
  // the specification's "unknown key" findings (those with a key) would refuse keys docker
  // accepts, such as extra build options from format 3.11 on. Its types and formats still count.
  const specification = validateCompose(document).filter(
    (issue) => issue.key === undefined && !refused.has(issueId(issue)),
  );
  // All at once: a merge request should learn every reason in one validate run, not one at a time.
  return [...stackFormat, ...specification, ...swarmRuleIssues(document, options.stackName)];
}

function issueId(issue: SchemaIssue): string {
  return JSON.stringify([...issue.path, issue.key ?? null]);
}
