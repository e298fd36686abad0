/** A YAML mapping as parsed data: an object that is not a list (nor null). */
export function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
