/**
 * Table cells must not break the table: pipes escaped, newlines folded. Plain text also gets `<`,
 * `>` and `&` as entities, since GitHub and GitLab read them as HTML: a cause such as `timed out
 * after <duration>` or a docker message quoting `<none>` would otherwise vanish as an unknown tag.
 */
export function cell(text: string): string {
  return codeCell(text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;"));
}

/** For text inside a code span in a cell: shown verbatim there, so only the table's own syntax is escaped. */
export function codeCell(text: string): string {
  return text.replaceAll("|", "\\|").replaceAll("\n", " ");
}
