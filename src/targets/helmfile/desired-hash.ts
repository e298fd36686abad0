/**
 * What says "git changed" for one release, as opposed to "someone edited the cluster": a hash of
 * the inputs that make the release — its helmfile entry, its values files (the ciphertext of a
 * sops file: no hash of plaintext is ever stored) and a local chart's files. It is kept in the
 * inventory; a diff with the same hash as at the last apply is drift.
 *
 * A helmfile croncd cannot read as plain YAML (templated, helmfile.d) falls back to a hash of the
 * whole helmfile folder: coarser (any change there counts as a git change for every release), never
 * wrong in the dangerous direction (a git change is never called drift).
 */
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { parse } from "yaml";
import { canonicalJson, sha256Hex } from "../../util/hash.js";
import type { DeclaredRelease } from "./model.js";

export interface HashContext {
  checkout: string;
  /** The helmfile, relative to the checkout. */
  helmfile: string;
  environment: string | undefined;
  /** Checkout-relative path → ciphertext digest of sops files. */
  encrypted: ReadonlyMap<string, string>;
}

export async function releaseHashes(
  releases: readonly DeclaredRelease[],
  context: HashContext,
): Promise<Map<DeclaredRelease, string>> {
  const entries = await readReleaseEntries(context);
  const folder = path.dirname(context.helmfile);
  const hashes = new Map<DeclaredRelease, string>();
  let folderHash: string | undefined;
  for (const release of releases) {
    const entry = entries?.find(
      (candidate) =>
        candidate.name === release.name &&
        (candidate.namespace === undefined || candidate.namespace === release.namespace),
    );
    const parts: string[] = [canonicalJson(release), context.environment ?? ""];
    if (entry) {
      parts.push(canonicalJson(entry));
      for (const file of valuesFiles(entry)) parts.push(await fileDigest(path.join(folder, file), context));
      if (isLocalChart(release.chart))
        parts.push(await folderDigest(path.join(folder, release.chart), context));
    } else {
      folderHash ??= await folderDigest(folder, context);
      parts.push(folderHash);
    }
    hashes.set(release, sha256Hex(parts.join("\0")));
  }
  return hashes;
}

interface ReleaseEntry {
  name: string;
  namespace?: string;
  values?: unknown;
}

async function readReleaseEntries(context: HashContext): Promise<ReleaseEntry[] | undefined> {
  if (!/\.ya?ml$/.test(context.helmfile)) return undefined;
  try {
    const document: unknown = parse(await readFile(path.join(context.checkout, context.helmfile), "utf8"));
    const releases = (document as { releases?: unknown } | null)?.releases;
    if (!Array.isArray(releases)) return undefined;
    return releases.filter(
      (release): release is ReleaseEntry =>
        typeof release === "object" && release !== null && typeof (release as ReleaseEntry).name === "string",
    );
  } catch {
    return undefined;
  }
}

function valuesFiles(entry: ReleaseEntry): string[] {
  return Array.isArray(entry.values)
    ? entry.values.filter((value): value is string => typeof value === "string")
    : [];
}

const isLocalChart = (chart: string): boolean => chart.startsWith("./") || chart.startsWith("../");

/** A file's bytes as hashed: the ciphertext digest for sops, else the content; missing files too. */
async function fileDigest(relative: string, context: HashContext): Promise<string> {
  const normal = path.normalize(relative);
  if (normal.startsWith("..")) return `outside:${normal}`;
  const encrypted = context.encrypted.get(normal);
  if (encrypted) return `sops:${normal}:${encrypted}`;
  const content = await readFile(path.join(context.checkout, normal)).catch(() => undefined);
  return `${normal}:${content ? sha256Hex(content) : "missing"}`;
}

async function folderDigest(relative: string, context: HashContext): Promise<string> {
  const normal = path.normalize(relative);
  if (normal.startsWith("..")) return `outside:${normal}`;
  const files = await readdir(path.join(context.checkout, normal), {
    recursive: true,
    withFileTypes: true,
  }).catch(() => []);
  const names = files
    .filter((file) => file.isFile())
    .map((file) => path.relative(context.checkout, path.join(file.parentPath, file.name)))
    .filter((name) => !name.split(path.sep).includes(".git"))
    .sort();
  const digests: string[] = [];
  for (const name of names) digests.push(await fileDigest(name, context));
  return sha256Hex(digests.join("\n"));
}
