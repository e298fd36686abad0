/**
 * XML 1.0 text and attribute escaping. Causes croncd reports come from docker, helm and YAML
 * parsers, so they can hold anything: quotes, `<`, `&`, ANSI colour codes, NUL bytes. A report
 * that is not well-formed is dropped whole by the CI server, so everything is made safe here.
 */

/** Shown where a character XML 1.0 cannot carry at all was dropped (U+FFFD REPLACEMENT CHARACTER). */
export const REPLACEMENT = "\uFFFD";

/**
 * Characters XML 1.0 forbids even as character references: C0 controls other than tab, line feed
 * and carriage return, U+FFFE/U+FFFF, and lone UTF-16 surrogates (which cannot be encoded).
 */
const FORBIDDEN =
  // Matching control characters is the point here.
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function withoutForbidden(text: string): string {
  return text.replace(FORBIDDEN, REPLACEMENT);
}

/**
 * Element content. `>` is escaped too, so a `]]>` in a message cannot end a section early; no
 * CDATA is used at all.
 */
export function escapeXmlText(text: string): string {
  return withoutForbidden(text).replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}

/**
 * A double-quoted attribute value. Tab, line feed and carriage return are written as character
 * references: a parser turns literal ones into spaces, and a multi-line cause would lose its lines.
 */
export function escapeXmlAttribute(text: string): string {
  return escapeXmlText(text)
    .replaceAll('"', "&quot;")
    .replaceAll("\t", "&#9;")
    .replaceAll("\n", "&#10;")
    .replaceAll("\r", "&#13;");
}

/** `name="value"` pairs in the given order, values escaped. */
export function xmlAttributes(attributes: ReadonlyArray<readonly [string, string | number]>): string {
  return attributes.map(([name, value]) => ` ${name}="${escapeXmlAttribute(String(value))}"`).join("");
}
