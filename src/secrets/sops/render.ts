/**
 * A scalar as text where a format has only strings (dotenv and INI values): getsops/sops
 * `stores/stores.go` `ValToString`.
 */
import { floatValToString } from "./gonum.js";
import { formatRfc3339 } from "./gotime.js";
import type { Leaf } from "./tree.js";

export function valToString(leaf: Leaf): string {
  switch (leaf.kind) {
    case "str":
      return leaf.value;
    case "rawstr":
      return new TextDecoder().decode(leaf.value);
    case "int":
      return leaf.value.toString();
    case "float":
      return floatValToString(leaf.value);
    case "bool":
      return leaf.value ? "true" : "false";
    case "time":
      return formatRfc3339(leaf.value, false) ?? "";
    case "bytes":
      // Go prints a byte slice with %v as its numbers.
      return `[${Array.from(leaf.value).join(" ")}]`;
    case "null":
      return "<nil>";
  }
}
