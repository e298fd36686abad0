/** Table cells must not break the table: escape pipes, fold newlines. */
export function cell(text: string): string {
  return text.replaceAll("|", "\\|").replaceAll("\n", " ");
}
