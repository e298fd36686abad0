/** Field paths the way people paste them into a search box: `services.web.ports[0]`, `labels["a.b"]`. */
export function formatPath(path: readonly (string | number)[]): string {
  if (path.length === 0) return "(top level)";
  let text = "";
  for (const segment of path) {
    if (typeof segment === "number") text += `[${segment}]`;
    else if (/^[A-Za-z0-9_-]+$/.test(segment)) text += text === "" ? segment : `.${segment}`;
    else text += `[${JSON.stringify(segment)}]`;
  }
  return text;
}
