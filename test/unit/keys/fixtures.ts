// The sops fixtures (files written by the real sops, see test/fixtures/sops/README.md), read
// without croncd's own sops parser: these tests are about keys, and must not depend on it.
import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import type { AgeStanza, PgpStanza, SopsMetadata } from "../../../src/secrets/sops/index.js";

export const FIXTURES = fileURLToPath(new URL("../../fixtures/sops/", import.meta.url));

export const fixture = (name: string): string => path.join(FIXTURES, name);

interface Expected {
  format: string;
  datakey_hex: string;
  entries: [string, string, boolean, unknown][];
}

export const EXPECTED = JSON.parse(readFileSync(fixture("EXPECTED.json"), "utf8")) as Record<
  string,
  Expected
>;

export const expectedKey = (name: string): string => (EXPECTED[name] as Expected).datakey_hex;

const OTHER_KEY_TYPES = ["kms", "gcp_kms", "azure_kv", "hc_vault", "hckms"];

/** The key part of a YAML or JSON fixture's `sops:` metadata. */
export async function fixtureMetadata(name: string): Promise<SopsMetadata> {
  const document = parse(await readFile(fixture(name), "utf8")) as { sops: Record<string, unknown> };
  const sops = document.sops;
  const list = <T>(value: unknown): T[] => (Array.isArray(value) ? (value as T[]) : []);
  return {
    age: list<AgeStanza>(sops.age).map(({ recipient, enc }) => ({ recipient, enc })),
    pgp: list<PgpStanza>(sops.pgp).map(({ fp, enc }) => ({ fp, enc })),
    otherKeyTypes: OTHER_KEY_TYPES.filter((type) => list(sops[type]).length > 0),
    keyGroups: [],
    lastModified: String(sops.lastmodified),
    macOnlyEncrypted: false,
  };
}

/** The first identity line of a keys file. */
export async function secretKeyIn(name: string): Promise<string> {
  const text = await readFile(fixture(name), "utf8");
  const line = text.split("\n").find((candidate) => candidate.startsWith("AGE-SECRET-KEY-"));
  if (!line) throw new Error(`no key in ${name}`);
  return line;
}

export const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString("hex");
