/**
 * Resource limits: required so one tenant cannot take a node's memory or CPUs from the others,
 * and capped. A cap covers reservations too: a reservation above it would hold back capacity the
 * tenant may not use. A size croncd cannot read fails the rule rather than pass unchecked.
 */
import type { SchemaIssue } from "../../../compose/schema.js";
import { isMapping } from "../../../util/is-mapping.js";
import type { Policy } from "../../policy-schema.js";
import { cpuCount, memoryBytes } from "./units.js";
import { serviceEntries, violation } from "./violation.js";

export function resourceViolations(document: Record<string, unknown>, policy: Policy): SchemaIssue[] {
  const rule = policy.resources;
  if (!rule) return [];
  const maxMemory = rule.maxMemory === undefined ? undefined : memoryBytes(rule.maxMemory);
  const issues: SchemaIssue[] = [];
  for (const [name, service] of serviceEntries(document)) {
    const resourcesAt = ["services", name, "deploy", "resources"];
    const deploy = isMapping(service.deploy) ? service.deploy : {};
    const resources = isMapping(deploy.resources) ? deploy.resources : {};
    const limits = isMapping(resources.limits) ? resources.limits : {};
    if (rule.requireMemoryLimit && limits.memory === undefined) {
      issues.push(
        violation(
          "resources",
          ["services", name],
          "sets no memory limit (deploy.resources.limits.memory), which this target requires",
        ),
      );
    }
    if (rule.requireCpuLimit && limits.cpus === undefined) {
      issues.push(
        violation(
          "resources",
          ["services", name],
          "sets no CPU limit (deploy.resources.limits.cpus), which this target requires",
        ),
      );
    }
    for (const kind of ["limits", "reservations"] as const) {
      const values = isMapping(resources[kind]) ? resources[kind] : {};
      if (maxMemory !== undefined && values.memory !== undefined) {
        const bytes = memoryBytes(values.memory);
        if (bytes === undefined || bytes > maxMemory) {
          issues.push(
            violation(
              "resources",
              [...resourcesAt, kind, "memory"],
              bytes === undefined
                ? `memory ${shown(values.memory)} is not a size croncd can compare with the cap of ${String(rule.maxMemory)}`
                : `memory ${shown(values.memory)} is above the cap of ${String(rule.maxMemory)}`,
            ),
          );
        }
      }
      if (rule.maxCpus !== undefined && values.cpus !== undefined) {
        const cpus = cpuCount(values.cpus);
        if (cpus === undefined || cpus > rule.maxCpus) {
          issues.push(
            violation(
              "resources",
              [...resourcesAt, kind, "cpus"],
              cpus === undefined
                ? `cpus ${shown(values.cpus)} is not a number croncd can compare with the cap of ${rule.maxCpus}`
                : `cpus ${shown(values.cpus)} is above the cap of ${rule.maxCpus}`,
            ),
          );
        }
      }
    }
  }
  return issues;
}

/** A value as the compose file wrote it (a size, a number), for the message. */
function shown(value: unknown): string {
  return typeof value === "string" || typeof value === "number" ? String(value) : JSON.stringify(value);
}
