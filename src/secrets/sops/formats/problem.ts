/**
 * A format-level problem (syntax, shape). Its message says what and where (line, column, key
 * path), never the content, which may be a secret; the document layer adds the file name.
 */
export class FormatProblem extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

/** 1-based line and column of `offset` in `text`. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/** Decodes UTF-8 (dropping a BOM); a FormatProblem when the bytes are not UTF-8. */
export function utf8Text(content: Uint8Array, what: string): string {
  try {
    return strictUtf8.decode(content);
  } catch {
    throw new FormatProblem(`is not valid UTF-8 ${what}`);
  }
}
