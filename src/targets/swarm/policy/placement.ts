/**
 * Which nodes a tenant's tasks may run on. Swarm places a task on any node that satisfies every
 * constraint of its service, so the policy works by constraints: each `required` expression must
 * be on every service (`node.labels.tenant == team-a` keeps the tenant on its own nodes), and no
 * service may carry an expression that is neither required nor `allowed` (a tenant cannot steer
 * onto managers with `node.role == manager`, or onto a named node). Without a `placement` rule
 * nothing is checked: services without constraints run on any node anyway.
 */
import type { SchemaIssue } from "../../../compose/schema.js";
import { isMapping } from "../../../util/is-mapping.js";
import type { Policy } from "../../policy-schema.js";
import { serviceEntries, violation } from "./violation.js";

/** `node.labels.tenant==team-a` and `node.labels.tenant == team-a` are one constraint to Swarm. */
export function canonicalConstraint(expression: string): string {
  const match = /^(.*?)\s*(==|!=)\s*(.*)$/.exec(expression.trim());
  return match ? `${match[1] ?? ""}${match[2] ?? ""}${match[3] ?? ""}` : expression.trim();
}

export function placementViolations(document: Record<string, unknown>, policy: Policy): SchemaIssue[] {
  const rule = policy.placement;
  if (!rule) return [];
  const required = rule.required.map(canonicalConstraint);
  const permitted = new Set([...required, ...rule.allowed.map(canonicalConstraint)]);
  const issues: SchemaIssue[] = [];
  for (const [name, service] of serviceEntries(document)) {
    const placement =
      isMapping(service.deploy) && isMapping(service.deploy.placement) ? service.deploy.placement : {};
    const constraints = Array.isArray(placement.constraints) ? placement.constraints.map(String) : [];
    const present = constraints.map(canonicalConstraint);
    const at = ["services", name, "deploy", "placement", "constraints"];
    const missing = required.filter((expression) => !present.includes(expression));
    if (missing.length > 0) {
      const where = constraints.length > 0 ? at : ["services", name];
      issues.push(
        violation(
          "placement",
          where,
          `must be placed with the constraint ${missing.map((m) => `"${m}"`).join(" and ")}`,
        ),
      );
    }
    constraints.forEach((expression, index) => {
      if (permitted.has(canonicalConstraint(expression))) return;
      issues.push(
        violation(
          "placement",
          [...at, index],
          `the constraint "${expression}" is not allowed for this target`,
        ),
      );
    });
  }
  return issues;
}
