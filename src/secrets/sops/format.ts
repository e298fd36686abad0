/** The file formats sops reads, and how it picks one from a file name. */

export type SopsFormat = "yaml" | "json" | "dotenv" | "ini" | "binary";

export const SOPS_FORMATS: readonly SopsFormat[] = ["yaml", "json", "dotenv", "ini", "binary"];

export function isSopsFormat(value: unknown): value is SopsFormat {
  return typeof value === "string" && (SOPS_FORMATS as readonly string[]).includes(value);
}

/**
 * Format from the file name as sops guesses it: .yaml/.yml, .json, .env, .ini, else binary.
 * Case-sensitive suffixes, like sops (getsops/sops `cmd/sops/formats/formats.go`).
 */
export function formatFromPath(file: string): SopsFormat {
  if (file.endsWith(".yaml") || file.endsWith(".yml")) return "yaml";
  if (file.endsWith(".json")) return "json";
  if (file.endsWith(".env")) return "dotenv";
  if (file.endsWith(".ini")) return "ini";
  return "binary";
}
