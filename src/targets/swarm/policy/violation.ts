/**
 * A policy violation is a SchemaIssue (a path in the compose document and a message), so the
 * render error lists it with its file and line like every other problem of the file; the message
 * starts with the rule's field in croncd.yaml, which is what the tenant asks the platform team about.
 */
import type { SchemaIssue } from "../../../compose/schema.js";
import type { Policy } from "../../policy-schema.js";

export type Path = (string | number)[];

export function violation(rule: keyof Policy, path: Path, message: string): SchemaIssue {
  return { path, message: `policy.${rule}: ${message}` };
}

/** The services of a rendered document, as [name, mapping] pairs (anything else is the schema's to report). */
export function serviceEntries(document: Record<string, unknown>): [string, Record<string, unknown>][] {
  const services = document.services;
  if (typeof services !== "object" || services === null || Array.isArray(services)) return [];
  return Object.entries(services).flatMap(([name, service]) =>
    typeof service === "object" && service !== null && !Array.isArray(service)
      ? [[name, service as Record<string, unknown>]]
      : [],
  );
}
