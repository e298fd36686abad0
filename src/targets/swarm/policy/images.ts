/**
 * Where a tenant's images come from. Names are compared in docker's full form, so `nginx`,
 * `library/nginx` and `docker.io/library/nginx` are one image, and a prefix matches whole path
 * components: `registry.example.com/team-a` admits `registry.example.com/team-a/app`, never
 * `registry.example.com/team-ab/app`. With `digestPinned`, only `name@sha256:…` references pass.
 */
import type { SchemaIssue } from "../../../compose/schema.js";
import type { Policy } from "../../policy-schema.js";
import { isRegistryHost, normaliseRepositoryName, parseImageReference } from "../image-reference.js";
import { serviceEntries, violation } from "./violation.js";

export function imageViolations(document: Record<string, unknown>, policy: Policy): SchemaIssue[] {
  const rule = policy.images;
  if (!rule) return [];
  const prefixes = (rule.registries ?? []).map(normalisedPrefix);
  const issues: SchemaIssue[] = [];
  for (const [name, service] of serviceEntries(document)) {
    if (typeof service.image !== "string") continue;
    const at = ["services", name, "image"];
    const reference = parseImageReference(service.image.trim());
    if (!reference) {
      issues.push(violation("images", at, `"${service.image}" is not an image reference croncd can check`));
      continue;
    }
    if (rule.registries && !prefixes.some((prefix) => isUnder(reference.name, prefix))) {
      issues.push(
        violation(
          "images",
          at,
          `${reference.name} is not from an allowed registry (allowed: ${prefixes.join(", ")})`,
        ),
      );
    }
    if (rule.digestPinned && reference.digest === undefined) {
      issues.push(
        violation("images", at, `${service.image} is not pinned by digest; write it as name@sha256:…`),
      );
    }
  }
  return issues;
}

/**
 * A prefix in the form names are compared in. One that starts with a registry host stays as
 * written (`index.docker.io` is `docker.io`); one without is a Docker Hub name, as docker reads
 * one: `nginx` is the official image `docker.io/library/nginx`, while a trailing slash says a
 * namespace (`bitnami/` → `docker.io/bitnami`).
 */
export function normalisedPrefix(prefix: string): string {
  const trimmed = prefix.trim().replace(/\/+$/, "");
  const [first = "", ...rest] = trimmed.split("/");
  const namespace = prefix.trim().endsWith("/");
  if (isRegistryHost(first)) {
    const host = first === "index.docker.io" ? "docker.io" : first;
    if (host === "docker.io" && rest.length === 1 && !namespace) return normaliseRepositoryName(trimmed);
    return [host, ...rest].join("/");
  }
  if (rest.length === 0 && namespace) return `docker.io/${trimmed}`;
  return normaliseRepositoryName(trimmed);
}

function isUnder(name: string, prefix: string): boolean {
  return name === prefix || name.startsWith(`${prefix}/`);
}
