/**
 * A Swarm target's tenant policy (croncd.yaml `policy:`), checked on the rendered stack — after
 * interpolation, env files and anchors, exactly what `docker stack deploy` would receive — before
 * anything is deployed. Every violation of the stack is listed at once, each with its line and
 * the rule it breaks; one is enough to make the stack a render failure, so nothing of it is
 * deployed and the target prunes nothing that run.
 */
import type { SchemaIssue } from "../../../compose/schema.js";
import type { Policy } from "../../policy-schema.js";
import { bindMountViolations } from "./bind-mounts.js";
import { hostAccessViolations } from "./host-access.js";
import { imageViolations } from "./images.js";
import { placementViolations } from "./placement.js";
import { publishedPortViolations } from "./published-ports.js";
import { resourceViolations } from "./resources.js";
import { violation } from "./violation.js";

export function policyViolations(
  document: Record<string, unknown>,
  policy: Policy,
  stackName: string,
): SchemaIssue[] {
  return [
    ...stackNameViolations(stackName, policy),
    ...hostAccessViolations(document, policy),
    ...bindMountViolations(document, policy),
    ...publishedPortViolations(document, policy),
    ...placementViolations(document, policy),
    ...imageViolations(document, policy),
    ...resourceViolations(document, policy),
  ];
}

/** The stack's name is its folder's: the tenant renames the folder, croncd never renames a stack. */
function stackNameViolations(stackName: string, policy: Policy): SchemaIssue[] {
  if (policy.stackPrefix === undefined || stackName.startsWith(policy.stackPrefix)) return [];
  return [
    violation(
      "stackPrefix",
      [],
      `stack "${stackName}" must be named ${policy.stackPrefix}…: rename its folder to ${policy.stackPrefix}${stackName}`,
    ),
  ];
}

/**
 * A violation's message shows the value it judged (an image name, a host path, a port), often
 * normalised. Where that value came from a secret variable, the masker would hide only the exact
 * secret, not a part or a normalised form of it: such messages name the rule and what is allowed,
 * never the value. `secretAt` says whether the compose file's text at a path reads a secret.
 */
export function withoutSecretValues(
  issues: readonly SchemaIssue[],
  secretAt: (path: readonly (string | number)[]) => boolean,
): SchemaIssue[] {
  return issues.map((issue) => {
    if (issue.path.length === 0 || !secretAt(issue.path)) return issue;
    const rule = issue.message.slice(0, issue.message.indexOf(":"));
    const allowed = /\((?:allowed: [^)]*|this target allows none|none is allowed)\)$/.exec(
      issue.message,
    )?.[0];
    return {
      ...issue,
      message: `${rule}: the value, from a secret variable, is not allowed here${allowed ? ` ${allowed}` : ""}`,
    };
  });
}

/** Variable names a compose text refers to (`$NAME`, `${NAME…}`); `$$` is a literal dollar. */
export function referencedVariables(text: string): string[] {
  return [...text.replaceAll("$$", "").matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)/g)].map(
    (match) => match[1] ?? "",
  );
}
