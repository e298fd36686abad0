/**
 * Splits a command line into words as the Go package `github.com/google/shlex` does. sops uses it
 * for `SOPS_AGE_KEY_CMD` (then runs the program without a shell), docker/cli for compose
 * `command:`/`entrypoint:` strings (its loader's `transformShellCommand`):
 *
 * - words are separated by space, tab, CR and LF;
 * - `'…'` is literal; inside `"…"` a backslash makes the next character literal (any character);
 *   outside quotes a backslash does the same;
 * - quotes may join parts of one word (`a"b c"d` is `ab cd`), and `""` is an empty word;
 * - `#` at the start of a word begins a comment that runs to the end of the line;
 * - an unclosed quote or a trailing backslash is an error.
 */
export class ShellWordsError extends Error {}

type State = "between" | "word" | "escaped" | "single" | "double" | "double-escaped" | "comment";

export function splitShellWords(input: string): string[] {
  const words: string[] = [];
  let state: State = "between";
  let word = "";
  const isSpace = (char: string) => char === " " || char === "\t" || char === "\r" || char === "\n";

  for (const char of input) {
    switch (state) {
      case "between":
        if (isSpace(char)) break;
        if (char === "#") state = "comment";
        else if (char === "'") state = "single";
        else if (char === '"') state = "double";
        else if (char === "\\") state = "escaped";
        else {
          word = char;
          state = "word";
        }
        break;
      case "word":
        if (isSpace(char)) {
          words.push(word);
          word = "";
          state = "between";
        } else if (char === "'") state = "single";
        else if (char === '"') state = "double";
        else if (char === "\\") state = "escaped";
        else word += char;
        break;
      case "escaped":
        word += char;
        state = "word";
        break;
      case "single":
        if (char === "'") state = "word";
        else word += char;
        break;
      case "double":
        if (char === '"') state = "word";
        else if (char === "\\") state = "double-escaped";
        else word += char;
        break;
      case "double-escaped":
        word += char;
        state = "double";
        break;
      case "comment":
        if (char === "\n") state = "between";
        break;
    }
  }
  if (state === "escaped" || state === "double-escaped")
    throw new ShellWordsError("it ends after a backslash");
  if (state === "single" || state === "double") throw new ShellWordsError("a quote is not closed");
  if (state === "word") words.push(word);
  return words;
}
