/**
 * A Helmfile target's tenant policy: what can be judged from `helmfile list` without rendering a
 * chart — the namespace each release goes to, and where its chart comes from. (What a chart then
 * creates is the cluster's RBAC to limit: the tenant's kube credentials are the real boundary.)
 *
 * Charts are matched by prefix of the chart as helmfile lists it, at a path boundary: `./charts`
 * admits `./charts/app`, never `./charts-evil/app`; a local path is compared with its `..` resolved.
 * A repository name (`bitnami/nginx`) is the helmfile's own alias, so an allowed URL
 * (`https://charts.bitnami.com/bitnami`) is compared with the URL the helmfile's `repositories:`
 * gives that alias, when the helmfile is plain YAML croncd can read; otherwise only the alias can
 * match, and a URL never does (it fails closed).
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { parseAllDocuments } from "yaml";
import type { SourceLocation } from "../../model/changeset.js";
import { isMapping } from "../../util/is-mapping.js";
import type { Policy } from "../policy-schema.js";
import type { DeclaredRelease } from "./model.js";

export interface HelmfileFacts {
  /** The helmfile, relative to the checkout (for locations). */
  file: string;
  /** Its text when it is a single file croncd could read. */
  text?: string;
  /** Repository alias → URL, from its `repositories:`. */
  repositories: Map<string, string>;
}

export interface ReleaseViolation {
  release: DeclaredRelease;
  problems: string[];
  location: SourceLocation;
}

/** Reads the helmfile's text and `repositories:` (a folder or a file that is not plain YAML yields none). */
export async function readHelmfileFacts(checkout: string, relative: string): Promise<HelmfileFacts> {
  const text = await readFile(path.join(checkout, relative), "utf8").catch(() => undefined);
  const repositories = new Map<string, string>();
  if (text === undefined) return { file: relative, repositories };
  try {
    for (const document of parseAllDocuments(text)) {
      const value: unknown = "toJS" in document ? document.toJS() : undefined;
      if (!isMapping(value) || !Array.isArray(value.repositories)) continue;
      for (const repository of value.repositories) {
        if (
          !isMapping(repository) ||
          typeof repository.name !== "string" ||
          typeof repository.url !== "string"
        )
          continue;
        const url =
          repository.oci === true && !repository.url.includes("://")
            ? `oci://${repository.url}`
            : repository.url;
        repositories.set(repository.name, url);
      }
    }
  } catch {
    // A templated helmfile is not YAML until helmfile renders it: no URLs are known.
  }
  return { file: relative, text, repositories };
}

export function releaseViolations(
  releases: readonly DeclaredRelease[],
  policy: Policy,
  facts: HelmfileFacts,
): ReleaseViolation[] {
  return releases.flatMap((release): ReleaseViolation[] => {
    const problems = [...namespaceProblems(release, policy), ...chartProblems(release, policy, facts)];
    if (problems.length === 0) return [];
    const line = facts.text === undefined ? undefined : releaseLine(facts.text, release.name);
    return [
      { release, problems, location: line === undefined ? { file: facts.file } : { file: facts.file, line } },
    ];
  });
}

function namespaceProblems(release: DeclaredRelease, policy: Policy): string[] {
  const allowed = policy.namespaces;
  if (!allowed) return [];
  const fits = allowed.some((pattern) =>
    pattern.endsWith("*")
      ? release.namespace.startsWith(pattern.slice(0, -1))
      : release.namespace === pattern,
  );
  if (fits) return [];
  const shown =
    release.namespace === "" ? "no namespace (the kube context's)" : `namespace ${release.namespace}`;
  return [`policy.namespaces: ${shown} is not allowed (allowed: ${allowed.join(", ")})`];
}

function chartProblems(release: DeclaredRelease, policy: Policy, facts: HelmfileFacts): string[] {
  const allowed = policy.chartRepositories;
  if (!allowed) return [];
  const chart = canonicalChart(release.chart);
  const alias = isLocalChart(release.chart) || chart.includes("://") ? undefined : chart.split("/")[0];
  const url = alias === undefined ? undefined : facts.repositories.get(alias);
  const fits = allowed.some((entry) => {
    const prefix = canonicalChart(entry.replace(/\/+$/, ""));
    return isUnder(chart, prefix) || (url !== undefined && isUnder(url.replace(/\/+$/, ""), prefix));
  });
  if (fits) return [];
  const from = url === undefined ? "" : ` (repository ${alias ?? ""} is ${url})`;
  return [
    `policy.chartRepositories: chart ${release.chart}${from} is not from an allowed repository (allowed: ${allowed.join(", ")})`,
  ];
}

function isLocalChart(chart: string): boolean {
  return chart.startsWith("./") || chart.startsWith("../") || chart.startsWith("/") || chart === ".";
}

/** Local paths with `.`/`..` resolved, keeping their `./` so they never read as a repository alias. */
export function canonicalChart(chart: string): string {
  if (!isLocalChart(chart)) return chart;
  const normal = path.posix.normalize(chart).replace(/\/+$/, "");
  return normal.startsWith("/") || normal.startsWith("..")
    ? normal
    : `./${normal === "." ? "" : normal}`.replace(/\/$/, "");
}

function isUnder(value: string, prefix: string): boolean {
  return value === prefix || value.startsWith(`${prefix}/`);
}

/** The line of `name: RELEASE` in the helmfile (the first one), for the annotation. */
export function releaseLine(text: string, name: string): number | undefined {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const pattern = new RegExp(`^\\s*(?:-\\s*)?name:\\s*["']?${escaped}["']?\\s*(?:#.*)?$`);
  const index = text.split(/\r?\n/).findIndex((line) => pattern.test(line));
  return index === -1 ? undefined : index + 1;
}
