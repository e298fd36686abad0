/**
 * dotenv the way sops's dotenv store reads and writes it (getsops/sops `stores/dotenv/store.go`):
 * one `KEY=value` per line, split at the first `=` with nothing trimmed (`foo =x` has the key
 * `foo `), `#` lines are comments, empty lines are dropped, and `\n` in a value stands for a
 * newline. The metadata is flattened into `sops_…` keys.
 */
import { valToString } from "../render.js";
import type { Branch, CommentNode, Entry } from "../tree.js";
import { FormatProblem } from "./problem.js";

export function parseDotenv(text: string): Branch {
  const items: (Entry | CommentNode)[] = [];
  const lines = text.split("\n");
  for (const [index, line] of lines.entries()) {
    if (line.length === 0) continue;
    if (line.startsWith("#")) {
      items.push({ kind: "comment", text: line.slice(1), inline: false });
      continue;
    }
    const equals = line.indexOf("=");
    if (equals === -1) throw new FormatProblem(`is not valid dotenv: line ${index + 1} has no '='`);
    items.push({
      kind: "entry",
      key: line.slice(0, equals),
      value: { kind: "str", value: line.slice(equals + 1).replaceAll("\\n", "\n") },
    });
  }
  return { kind: "branch", items };
}

/** The plaintext exactly as `sops --decrypt` prints a dotenv file. */
export function emitDotenv(tree: Branch): string {
  let out = "";
  for (const item of tree.items) {
    if (item.kind === "comment") {
      out += `#${item.text}\n`;
      continue;
    }
    if (item.value.kind === "branch" || item.value.kind === "seq") {
      throw new FormatProblem(`holds a nested value under ${item.key}, which dotenv cannot represent`);
    }
    const value =
      item.value.kind === "str" ? item.value.value.replaceAll("\n", "\\n") : valToString(item.value);
    out += `${item.key}=${value}\n`;
  }
  return out;
}

/** The variables of a decrypted dotenv tree, in order (a repeated key keeps its last value). */
export function dotenvVariables(tree: Branch): Map<string, string> {
  const variables = new Map<string, string>();
  for (const item of tree.items) {
    if (item.kind !== "entry" || item.value.kind === "branch" || item.value.kind === "seq") continue;
    variables.set(item.key, item.value.kind === "str" ? item.value.value : valToString(item.value));
  }
  return variables;
}
