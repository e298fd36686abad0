/**
 * Judges a compose document as docker's stack loader does: the declared `version:` chooses which
 * keys are allowed (./keys.ts), keys only docker compose knows are refused with what to do
 * instead, and the few values docker reads more narrowly than the Compose specification are
 * named. Types and formats everywhere else are the Compose specification schema's job.
 */
import { closest, type SchemaIssue } from "../schema.js";
import { STACK_FORMAT, type KeyRule, type MappingRule } from "./keys.js";
import { INSTEAD_OF } from "./unsupported-keys.js";
import { narrowerValues } from "./narrower-values.js";
import { declaredVersion } from "./version.js";
import { isMapping } from "../../util/is-mapping.js";

/** croncd's own top-level keys, removed before docker sees the file. */
export interface StackFormatOptions {
  ownTopLevelKeys: readonly string[];
}

type Path = (string | number)[];

export function validateStackFormat(
  document: Record<string, unknown>,
  options: StackFormatOptions,
): SchemaIssue[] {
  const version = declaredVersion(document);
  const issues: SchemaIssue[] = version.issue ? [version.issue] : [];
  const context = { minor: version.minor, declared: version.declared, issues };
  const checked = Object.fromEntries(
    Object.entries(document).filter(([key]) => !options.ownTopLevelKeys.includes(key)),
  );
  checkMapping(checked, STACK_FORMAT, [], context);
  issues.push(...invalidNames(document), ...narrowerValues(document));
  return issues;
}

/**
 * docker's schema allows these characters in the names of services, volumes, configs and secrets.
 * Network names are left free (a network the stack creates must still be a DNS label for Swarm).
 */
const NAME = /^[a-zA-Z0-9._-]+$/;

function invalidNames(document: Record<string, unknown>): SchemaIssue[] {
  return ["services", "volumes", "configs", "secrets"].flatMap((section) => {
    const entries = document[section];
    if (!isMapping(entries)) return [];
    return Object.keys(entries)
      .filter((name) => !NAME.test(name))
      .map((name) => ({
        path: [section],
        key: name,
        message: `invalid name "${name}": docker stack deploy allows letters, digits, '.', '_' and '-'`,
      }));
  });
}

interface CheckContext {
  minor: number;
  declared: string | undefined;
  issues: SchemaIssue[];
}

function checkMapping(
  value: Record<string, unknown>,
  rule: MappingRule,
  path: Path,
  context: CheckContext,
): void {
  for (const [key, child] of Object.entries(value)) {
    // Own properties only: a key named "constructor" must not find Object.prototype's.
    const keyRule = Object.hasOwn(rule.keys, key) ? rule.keys[key] : undefined;
    if (keyRule === undefined) {
      const issue = refusedKey(key, rule, context);
      if (issue) context.issues.push({ path, key, message: issue });
      continue;
    }
    if (keyRule.since > context.minor) {
      context.issues.push({ path, key, message: tooNew(key, keyRule.since, context) });
      continue;
    }
    checkChild(child, keyRule, [...path, key], context);
  }
}

function checkChild(value: unknown, rule: KeyRule, path: Path, context: CheckContext): void {
  if (rule.mapping && isMapping(value)) checkMapping(value, rule.mapping, path, context);
  if (rule.eachValue && isMapping(value)) {
    for (const [name, entry] of Object.entries(value)) {
      if (isMapping(entry)) checkMapping(entry, rule.eachValue, [...path, name], context);
    }
  }
  if (rule.eachItem && Array.isArray(value)) {
    value.forEach((item, index) => {
      if (isMapping(item) && rule.eachItem) checkMapping(item, rule.eachItem, [...path, index], context);
    });
  }
}

/** Why `key` is refused here, or undefined when docker accepts it after all. */
function refusedKey(key: string, rule: MappingRule, context: CheckContext): string | undefined {
  if (key.startsWith("x-")) {
    if (rule.extensionsSince === undefined)
      return `extension field "${key}" is not allowed here by docker stack deploy; move it to the top level`;
    if (rule.extensionsSince <= context.minor) return undefined;
    return tooNew(key, rule.extensionsSince, context, "extension fields (x-)");
  }
  if (rule.openSince !== undefined && rule.openSince <= context.minor) return undefined;
  const instead = Object.hasOwn(INSTEAD_OF, key) ? INSTEAD_OF[key] : undefined;
  if (instead !== undefined) return `"${key}" is not supported by docker stack deploy: ${instead}`;
  const suggestion = closest(key, Object.keys(rule.keys));
  return suggestion === undefined
    ? `unknown key "${key}" (docker stack deploy refuses it)`
    : `unknown key "${key}" (did you mean "${suggestion}"?)`;
}

function tooNew(key: string, since: number, context: CheckContext, what = `"${key}"`): string {
  return (
    `${what} needs Compose file format 3.${since} or newer, and this file declares version "${context.declared ?? ""}": ` +
    `raise version: to "3.${since}" or later, or remove the version: line`
  );
}
