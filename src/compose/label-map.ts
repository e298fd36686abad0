/** Compose allows labels as a mapping or as a list of `key=value`; this is the mapping either way. */
export function labelMap(labels: unknown): Record<string, string> {
  if (Array.isArray(labels)) {
    return Object.fromEntries(
      labels.map((item) => {
        const text = String(item);
        const equals = text.indexOf("=");
        return equals === -1 ? [text, ""] : [text.slice(0, equals), text.slice(equals + 1)];
      }),
    );
  }
  if (labels && typeof labels === "object") {
    return Object.fromEntries(Object.entries(labels).map(([key, value]) => [key, String(value)]));
  }
  return {};
}
