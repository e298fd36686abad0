/**
 * One character Go's `unicode.IsSpace` accepts (JavaScript's `\s` differs on U+0085 and U+FEFF):
 * what splits words in `SOPS_AGE_KEY` and what docker's dotenv reader trims.
 */
export const GO_SPACE_CHARACTER =
  /[\t\n\v\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]/;

/** A run of them. */
export const GO_SPACE_RUN = new RegExp(`${GO_SPACE_CHARACTER.source}+`);
