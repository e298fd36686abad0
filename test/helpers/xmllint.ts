// Reads JUnit files the way a CI server does: with a real XML parser (libxml2's xmllint), validated
// against the JUnit XML schema in test/fixtures/junit/, queried with XPath.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";

export const JUNIT_XSD = fileURLToPath(new URL("../fixtures/junit/JUnit.xsd", import.meta.url));

export interface Validation {
  valid: boolean;
  /** xmllint's own words: which line broke which rule. */
  output: string;
}

export async function validateJunitFile(file: string): Promise<Validation> {
  const result = await execa("xmllint", ["--noout", "--schema", JUNIT_XSD, file], { reject: false });
  return { valid: result.exitCode === 0, output: `${result.stdout}${result.stderr}` };
}

/** The XPath expression's value as a string (`string(...)`, `count(...)`), as libxml2 computes it. */
export async function xpath(file: string, expression: string): Promise<string> {
  const result = await execa("xmllint", ["--xpath", expression, file], { reject: false });
  if (result.exitCode !== 0) throw new Error(`xmllint --xpath ${expression} ${file}: ${result.stderr}`);
  return result.stdout;
}

/** Writes `xml` to a temporary file for the duration of `body`. */
export async function withXmlFile<T>(xml: string, body: (file: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(tmpdir(), "croncd-junit-"));
  try {
    const file = path.join(dir, "junit.xml");
    await writeFile(file, xml);
    return await body(file);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
