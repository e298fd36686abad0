// Reads croncd's GitLab CI/CD component files the way GitLab splits them: a `spec:` header document,
// then the jobs document that `$[[ inputs.* ]]` is interpolated into.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";

export const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));
export const TEMPLATES_DIR = path.join(REPO_ROOT, "templates");

export interface InputSpec {
  description?: unknown;
  type?: unknown;
  default?: unknown;
  options?: unknown[];
  regex?: string;
}

export interface ComponentFile {
  name: string;
  text: string;
  spec: { component?: string[]; inputs: Record<string, InputSpec> };
  /** The jobs document: top-level key → value. */
  body: Record<string, unknown>;
}

export function readComponent(name: string): ComponentFile {
  const text = readFileSync(path.join(TEMPLATES_DIR, `${name}.yml`), "utf8");
  const documents = parseAllDocuments(text);
  if (!Array.isArray(documents) || documents.length !== 2) {
    throw new Error(`templates/${name}.yml: expected a spec header and a jobs document`);
  }
  const [header, body] = documents.map((document) => document.toJS() as Record<string, unknown>);
  const spec = header!.spec as ComponentFile["spec"];
  return { name, text, spec, body: body! };
}

export function componentNames(): string[] {
  return readdirSync(TEMPLATES_DIR)
    .filter((file) => file.endsWith(".yml"))
    .map((file) => file.replace(/\.yml$/, ""))
    .sort();
}

/** The one job of a component (its key is the job-name input). */
export function theJob(component: ComponentFile): Record<string, unknown> {
  const keys = Object.keys(component.body);
  if (keys.length !== 1)
    throw new Error(`templates/${component.name}.yml: expected one job, found ${keys.join(", ")}`);
  return component.body[keys[0]!] as Record<string, unknown>;
}
