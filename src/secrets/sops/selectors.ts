/**
 * Which leaves of a sops file are encrypted: the `*_suffix`, `*_regex` and `*_comment_regex`
 * rules of the metadata, decided per leaf exactly as getsops/sops `sops.go`
 * `Tree.shouldBeEncrypted` does. The path is the list of mapping keys above the leaf (sequence
 * positions are not part of it), and the comments stack holds, per nesting level, the comments
 * met since the last value at that level, as they appear in the file.
 */
import { compileGoRegex, goRegexMatches, type GoRegex } from "./goregex.js";

export interface CryptRules {
  readonly unencryptedSuffix?: string;
  readonly encryptedSuffix?: string;
  readonly unencryptedRegex?: GoRegex;
  readonly encryptedRegex?: GoRegex;
  readonly unencryptedCommentRegex?: GoRegex;
  readonly encryptedCommentRegex?: GoRegex;
  /** The MAC covers only the values that are encrypted. */
  readonly macOnlyEncrypted: boolean;
}

/** sops's default when a file names no rule at all (`sops.DefaultUnencryptedSuffix`). */
export const DEFAULT_UNENCRYPTED_SUFFIX = "_unencrypted";

export interface RuleStrings {
  unencrypted_suffix?: string;
  encrypted_suffix?: string;
  unencrypted_regex?: string;
  encrypted_regex?: string;
  unencrypted_comment_regex?: string;
  encrypted_comment_regex?: string;
}

export const RULE_NAMES = [
  "unencrypted_suffix",
  "encrypted_suffix",
  "unencrypted_regex",
  "encrypted_regex",
  "unencrypted_comment_regex",
  "encrypted_comment_regex",
] as const;

/**
 * Builds the rules. Like sops (`stores.go` `ToInternal`) at most one rule may be set, and with
 * none the default `_unencrypted` suffix applies. Throws a plain Error with the reason otherwise;
 * UnsupportedGoRegex when a regex cannot be evaluated here.
 */
export function cryptRules(strings: RuleStrings, macOnlyEncrypted: boolean): CryptRules {
  const set = RULE_NAMES.filter((name) => (strings[name] ?? "") !== "");
  if (set.length > 1) throw new Error(`it sets more than one of ${set.join(", ")}; sops allows only one`);
  const regex = (text: string | undefined) => (text ? compileGoRegex(text) : undefined);
  if (set.length === 0) return { unencryptedSuffix: DEFAULT_UNENCRYPTED_SUFFIX, macOnlyEncrypted };
  return {
    ...(strings.unencrypted_suffix ? { unencryptedSuffix: strings.unencrypted_suffix } : {}),
    ...(strings.encrypted_suffix ? { encryptedSuffix: strings.encrypted_suffix } : {}),
    ...(strings.unencrypted_regex ? { unencryptedRegex: regex(strings.unencrypted_regex) } : {}),
    ...(strings.encrypted_regex ? { encryptedRegex: regex(strings.encrypted_regex) } : {}),
    ...(strings.unencrypted_comment_regex
      ? { unencryptedCommentRegex: regex(strings.unencrypted_comment_regex) }
      : {}),
    ...(strings.encrypted_comment_regex
      ? { encryptedCommentRegex: regex(strings.encrypted_comment_regex) }
      : {}),
    macOnlyEncrypted,
  };
}

export function shouldBeEncrypted(
  rules: CryptRules,
  path: readonly string[],
  commentsStack: readonly (readonly string[])[],
  isComment: boolean,
): boolean {
  let encrypted = true;
  if (rules.unencryptedSuffix !== undefined) {
    const suffix = rules.unencryptedSuffix;
    if (path.some((key) => key.endsWith(suffix))) encrypted = false;
  }
  if (rules.encryptedSuffix !== undefined) {
    const suffix = rules.encryptedSuffix;
    encrypted = path.some((key) => key.endsWith(suffix));
  }
  if (rules.unencryptedRegex !== undefined) {
    const regex = rules.unencryptedRegex;
    if (path.some((key) => goRegexMatches(regex, key))) encrypted = false;
  }
  if (rules.encryptedRegex !== undefined) {
    const regex = rules.encryptedRegex;
    encrypted = path.some((key) => goRegexMatches(regex, key));
  }
  if (rules.unencryptedCommentRegex !== undefined) {
    const regex = rules.unencryptedCommentRegex;
    if (commentsStack.some((level) => level.some((text) => goRegexMatches(regex, text)))) encrypted = false;
  }
  if (rules.encryptedCommentRegex !== undefined) {
    const regex = rules.encryptedCommentRegex;
    const lastLevel = commentsStack.length - 1;
    encrypted = commentsStack.some((level, i) =>
      level.some((text, j) => {
        // A comment that matches is itself left in clear: for a comment, its own line (the
        // last one on the innermost level) does not count.
        if (isComment && i === lastLevel && j === level.length - 1) return false;
        return goRegexMatches(regex, text);
      }),
    );
  }
  return encrypted;
}
