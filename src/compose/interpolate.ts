/**
 * Compose-file variable interpolation with the semantics of `docker compose` (compose-go's `template`
 * package), so a stack renders here exactly as it would on a developer's machine.
 *
 * Supported forms: `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?error}`,
 * `${VAR?error}`, `${VAR:+alternative}`, `${VAR+alternative}` and `$$` for a literal `$`. Defaults,
 * alternatives and error texts are interpolated themselves, but only when they are used.
 */

import { RenderError } from "../errors.js";
import type { SourceLocation } from "../model/changeset.js";

/** Returns a variable's value, or `undefined` when it is not set (which differs from set to ""). */
export type VariableLookup = (name: string) => string | undefined;

type Warn = (message: string) => void;

interface Scope {
  lookup: VariableLookup;
  where: string;
  /** Where the value sits, when known; computed only for an error. */
  location: (() => SourceLocation | undefined) | undefined;
  warn: Warn | undefined;
  /** The whole string being interpolated, for error messages. */
  template: string;
}

type Operator = ":-" | "-" | ":+" | "+" | ":?" | "?";

const ESCAPE_HINT = "write a literal $ as $$";

/** Names a value in warnings and errors; with a source position, errors carry it as data too. */
export type Where = string | { label: string; location: () => SourceLocation | undefined };

/** A parsed file whose values can be located by key path (ParsedYaml is one). */
export interface LocatableFile {
  file: string;
  lineOf(path: readonly (string | number)[]): number | undefined;
}

/**
 * Interpolates one string. `where` names the value (file and key path) in warnings and errors.
 * Unset variables without a default become "" and are reported through `warn`.
 */
export function interpolateString(
  template: string,
  lookup: VariableLookup,
  where: Where,
  warn?: (message: string) => void,
): string {
  const [label, location] = typeof where === "string" ? [where, undefined] : [where.label, where.location];
  return substitute(template, { lookup, where: label, location, warn, template });
}

/**
 * Interpolates every string value of a parsed YAML document and returns a new document. Mapping
 * keys are left alone, as compose does. Locations passed on are `where` plus the key path,
 * e.g. `compose.yaml services.web.environment.DB_URL` or `compose.yaml services.web.ports[0]`.
 */
export function interpolateDocument(
  value: unknown,
  lookup: VariableLookup,
  where: string | LocatableFile,
  warn?: (message: string) => void,
): unknown {
  const label = typeof where === "string" ? where : where.file;
  return mapStrings(value, [], (text, segments) => {
    const named = locate(label, dottedPath(segments));
    if (typeof where === "string") return interpolateString(text, lookup, named, warn);
    const location = (): SourceLocation => {
      const line = where.lineOf(segments);
      return line === undefined ? { file: where.file } : { file: where.file, line };
    };
    return interpolateString(text, lookup, { label: named, location }, warn);
  });
}

/**
 * Returns a deep copy whose string values have every `$` doubled, so that `docker stack deploy`,
 * which interpolates the rendered file once more, reads back the original text. Mapping keys are
 * copied as they are: neither compose nor `docker stack deploy` interpolates keys, so doubling a
 * `$` there would change the key.
 */
export function escapeDollars(value: unknown): unknown {
  return mapStrings(value, [], (text) => text.replaceAll("$", () => "$$"));
}

type PathSegments = readonly (string | number)[];

function mapStrings(
  value: unknown,
  path: PathSegments,
  onString: (text: string, path: PathSegments) => string,
): unknown {
  if (typeof value === "string") return onString(value, path);
  if (Array.isArray(value)) {
    return value.map((item: unknown, index) => mapStrings(item, [...path, index], onString));
  }
  if (isPlainObject(value)) {
    // Object.fromEntries defines own properties, so a `__proto__` key stays an ordinary key.
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, mapStrings(item, [...path, key], onString)]),
    );
  }
  return value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/**
 * `services.web.ports[0]`, the form interpolation messages have always named values in (keys as
 * they are, dots and all, unlike util/field-path's quoted form), kept so messages do not change.
 */
function dottedPath(path: PathSegments): string {
  return path
    .map((segment, index) =>
      typeof segment === "number" ? `[${segment}]` : index === 0 ? segment : `.${segment}`,
    )
    .join("");
}

function locate(where: string, path: string): string {
  if (where === "") return path;
  if (path === "") return where;
  return `${where} ${path}`;
}

/** One left-to-right pass over `text`; compose-go's regular expression scans the same way. */
function substitute(text: string, scope: Scope): string {
  let result = "";
  let position = 0;
  while (position < text.length) {
    const dollar = text.indexOf("$", position);
    if (dollar === -1) {
      result += text.slice(position);
      break;
    }
    result += text.slice(position, dollar);
    const next = text[dollar + 1];
    if (next === "$") {
      result += "$";
      position = dollar + 2;
    } else if (next !== undefined && isNameStart(next)) {
      const end = nameEnd(text, dollar + 1);
      result += valueOrWarn(text.slice(dollar + 1, end), scope);
      position = end;
    } else if (next === "{") {
      const braced = substituteBraced(text, dollar, scope);
      result += braced.value;
      position = braced.end;
    } else {
      // `$` before anything that cannot start a name (a digit, a space, `}`, the end) is literal.
      result += "$";
      position = dollar + 1;
    }
  }
  return result;
}

/** Handles `${...}` starting at `start` (the `$`); returns the replacement and where scanning resumes. */
function substituteBraced(text: string, start: number, scope: Scope): { value: string; end: number } {
  const nameStart = start + 2;
  const first = text[nameStart];
  if (first === undefined || !isNameStart(first)) throw invalidTemplate(scope);
  const afterName = nameEnd(text, nameStart);
  const name = text.slice(nameStart, afterName);
  if (text[afterName] === "}") return { value: valueOrWarn(name, scope), end: afterName + 1 };

  const operator = readOperator(text, afterName);
  if (operator === undefined) throw invalidTemplate(scope);
  const operandStart = afterName + operator.length;
  const close = closingBrace(text, start, operandStart);
  if (close === -1) throw invalidTemplate(scope);
  const operand = text.slice(operandStart, close);
  return { value: applyOperator(name, operator, operand, scope), end: close + 1 };
}

/**
 * Finds the `}` that ends a `${NAME<operator>...}` form, the way compose-go does: its pattern takes
 * everything up to the LAST `}` on the same line (`.` does not cross a newline), then counts braces
 * from the `${` to cut that at the first `}` that balances it. The count skips the character right
 * after each `{`, so `${A:-{}` yields the default `{`; when the count never balances, the last `}`
 * on the line ends the form.
 */
function closingBrace(text: string, start: number, operandStart: number): number {
  const newline = text.indexOf("\n", operandStart);
  const lineEnd = newline === -1 ? text.length : newline;
  const lastBrace = text.lastIndexOf("}", lineEnd - 1);
  if (lastBrace < operandStart) return -1;

  let open = 0;
  for (let index = start; index <= lastBrace; index++) {
    const char = text[index];
    if (char === "}") {
      open--;
      if (open === 0) return index;
    } else if (char === "{") {
      open++;
      index++;
    }
  }
  return lastBrace;
}

function applyOperator(name: string, operator: Operator, operand: string, scope: Scope): string {
  const value = scope.lookup(name);
  const isSet = value !== undefined;
  const isNonEmpty = isSet && value !== "";
  switch (operator) {
    case ":-":
      return isNonEmpty ? value : substitute(operand, scope);
    case "-":
      return isSet ? value : substitute(operand, scope);
    case ":+":
      return isNonEmpty ? substitute(operand, scope) : (value ?? "");
    case "+":
      return isSet ? substitute(operand, scope) : "";
    case ":?":
      if (!isNonEmpty) throw missingRequired(name, substitute(operand, scope), scope);
      return value;
    case "?":
      if (!isSet) throw missingRequired(name, substitute(operand, scope), scope);
      return value;
  }
}

/** The colon forms are tried first so `${A:-x}` reads as `:-`, not as `-` with a name ending in `:`. */
function readOperator(text: string, position: number): Operator | undefined {
  const char = text[position];
  if (char === ":") {
    const next = text[position + 1];
    if (next === "-" || next === "+" || next === "?") return `:${next}`;
    return undefined;
  }
  if (char === "-" || char === "+" || char === "?") return char;
  return undefined;
}

function valueOrWarn(name: string, scope: Scope): string {
  const value = scope.lookup(name);
  if (value !== undefined) return value;
  const location = scope.where === "" ? "" : ` (${scope.where})`;
  scope.warn?.(`variable "${name}" is not set, using an empty string${location}`);
  return "";
}

// Compose's name pattern is [_a-z][_a-z0-9]* matched case-insensitively; `$VAR` ends at the first
// other character, so `$FOO-bar` is the value of FOO followed by `-bar`.
function isNameStart(char: string): boolean {
  return char === "_" || (char >= "a" && char <= "z") || (char >= "A" && char <= "Z");
}

function isNameChar(char: string): boolean {
  return isNameStart(char) || (char >= "0" && char <= "9");
}

function nameEnd(text: string, start: number): number {
  let end = start;
  while (end < text.length && isNameChar(text.charAt(end))) end++;
  return end;
}

function invalidTemplate(scope: Scope): RenderError {
  return new RenderError(`invalid interpolation format in ${JSON.stringify(scope.template)}`, {
    subject: scope.where,
    ...locationOption(scope),
    hint: ESCAPE_HINT,
  });
}

function missingRequired(name: string, reason: string, scope: Scope): RenderError {
  const message =
    reason === ""
      ? `required variable ${name} is missing a value`
      : `required variable ${name} is missing a value: ${reason}`;
  return new RenderError(message, {
    subject: scope.where,
    ...locationOption(scope),
    hint: `set ${name} in the environment or the stack's .env file`,
  });
}

function locationOption(scope: Scope): { location?: SourceLocation } {
  const location = scope.location?.();
  return location ? { location } : {};
}
