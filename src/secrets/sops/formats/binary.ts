/**
 * sops's binary store (getsops/sops `stores/json/store.go`, `BinaryStore`): the whole file is one
 * string under the `data` key of a JSON envelope. The string is bytes, not necessarily UTF-8.
 */
import type { Branch } from "../tree.js";
import { FormatProblem } from "./problem.js";

/** The plaintext bytes of a decrypted binary envelope. */
export function emitBinary(tree: Branch): Uint8Array {
  for (const item of tree.items) {
    if (item.kind !== "entry" || item.key !== "data") continue;
    if (item.value.kind === "str") return new Uint8Array(Buffer.from(item.value.value, "utf8"));
    if (item.value.kind === "rawstr") return item.value.value;
    throw new FormatProblem("is a binary sops file whose 'data' is not a string");
  }
  throw new FormatProblem(
    "is a binary sops file with no 'data' key",
    "is it a JSON sops file? pass the json format",
  );
}
