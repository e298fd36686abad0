/** Reads `helmfile list --output json`: `[{name, namespace, enabled, installed, labels: "k:v,…", chart, version}]`. */
import { RenderError } from "../../errors.js";
import type { DeclaredRelease } from "./model.js";

export function parseHelmfileList(stdout: string, subject: string): DeclaredRelease[] {
  // helmfile may log lines before the document (repository updates): the JSON is the last line
  // that starts an array.
  const start = stdout.lastIndexOf("\n[");
  const text = (start === -1 ? stdout : stdout.slice(start + 1)).trim();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text === "" ? "[]" : text);
  } catch (error) {
    throw new RenderError("helmfile list printed no JSON array", { subject, cause: error });
  }
  if (!Array.isArray(parsed)) throw new RenderError("helmfile list printed no JSON array", { subject });
  return parsed.map((raw, index): DeclaredRelease => {
    const item = (raw ?? {}) as Record<string, unknown>;
    const name = typeof item.name === "string" ? item.name : "";
    if (name === "") throw new RenderError(`helmfile list entry ${index} has no name`, { subject });
    return {
      name,
      namespace: typeof item.namespace === "string" ? item.namespace : "",
      installed: item.installed !== false && item.enabled !== false,
      chart: typeof item.chart === "string" ? item.chart : "",
      version: typeof item.version === "string" ? item.version : "",
      labels: parseLabels(typeof item.labels === "string" ? item.labels : ""),
    };
  });
}

function parseLabels(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const pair of text.split(",")) {
    const colon = pair.indexOf(":");
    if (colon > 0) labels[pair.slice(0, colon).trim()] = pair.slice(colon + 1).trim();
  }
  return labels;
}
