// SOPS_AGE_KEY_CMD is split like sops splits it (Go's github.com/google/shlex), not by a shell.
import { describe, expect, it } from "vitest";
import { splitShellWords } from "../../../src/util/shell-words.js";

describe("splitShellWords", () => {
  it.each([
    ["vault read -field=key secret/age", ["vault", "read", "-field=key", "secret/age"]],
    ["  a\tb \n c  ", ["a", "b", "c"]],
    [`sh -c 'echo "$X" | tr a b'`, ["sh", "-c", `echo "$X" | tr a b`]],
    [`a "b c" d`, ["a", "b c", "d"]],
    [`a"b c"d`, ["ab cd"]],
    [`"a \\" \\$ \\\\ \\q"`, [`a " $ \\ q`]],
    [`a\\ b`, ["a b"]],
    [`'it''s'`, ["its"]],
    [`a "" ''`, ["a", "", ""]],
    ["cmd # a comment\nnext", ["cmd", "next"]],
    ["cmd a#b", ["cmd", "a#b"]],
    ["", []],
  ])("%j", (input, words) => {
    expect(splitShellWords(input)).toEqual(words);
  });

  it("refuses unclosed quotes and a trailing backslash", () => {
    expect(() => splitShellWords(`a 'b`)).toThrow("a quote is not closed");
    expect(() => splitShellWords(`a "b`)).toThrow("a quote is not closed");
    expect(() => splitShellWords(`a \\`)).toThrow("it ends after a backslash");
  });
});
