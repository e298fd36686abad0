/**
 * Go's number and boolean text conversions, as sops uses them (getsops/sops `sops.go` `ToBytes`,
 * `aes/cipher.go`, `stores/stores.go` `ValToString`): the MAC hashes a float as
 * `strconv.FormatFloat(f, 'f', -1, 64)`, an int as `strconv.Itoa`, a bool as `True`/`False`, and
 * decrypted values are parsed back with `strconv.Atoi`/`ParseFloat`/`ParseBool`.
 */

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

/** The shortest decimal digits that round-trip `f` (finite, non-zero), and the decimal point position. */
function shortestDigits(f: number): { digits: string; point: number } {
  const [mantissa = "0", exponent = "0"] = Math.abs(f).toExponential().split("e");
  return { digits: mantissa.replace(".", ""), point: Number(exponent) + 1 };
}

function negative(f: number): boolean {
  return f < 0 || Object.is(f, -0);
}

function fixed(digits: string, point: number): string {
  if (digits.length <= point) return digits + "0".repeat(point - digits.length);
  if (point <= 0) return "0." + "0".repeat(-point) + digits;
  return digits.slice(0, point) + "." + digits.slice(point);
}

function exponential(digits: string, point: number, e: "e" | "E"): string {
  const exponent = point - 1;
  const mantissa = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  const sign = exponent < 0 ? "-" : "+";
  return `${mantissa}${e}${sign}${String(Math.abs(exponent)).padStart(2, "0")}`;
}

function special(f: number): string | undefined {
  if (Number.isNaN(f)) return "NaN";
  if (f === Infinity) return "+Inf";
  if (f === -Infinity) return "-Inf";
  return undefined;
}

/** `strconv.FormatFloat(f, 'f', -1, 64)`. */
export function formatFloatF(f: number): string {
  const s = special(f);
  if (s !== undefined) return s;
  const sign = negative(f) ? "-" : "";
  if (f === 0) return sign + "0";
  const { digits, point } = shortestDigits(f);
  return sign + fixed(digits, point);
}

/** `strconv.FormatFloat(f, 'g' or 'G', -1, 64)`. */
export function formatFloatG(f: number, e: "e" | "E" = "e"): string {
  const s = special(f);
  if (s !== undefined) return s;
  const sign = negative(f) ? "-" : "";
  if (f === 0) return sign + "0";
  const { digits, point } = shortestDigits(f);
  const exponent = point - 1;
  if (exponent < -4 || exponent >= 6) return sign + exponential(digits, point, e);
  return sign + fixed(digits, point);
}

/** Go's `encoding/json` float encoding; undefined for NaN and infinities (json.Marshal refuses them). */
export function formatFloatJson(f: number): string | undefined {
  if (!Number.isFinite(f)) return undefined;
  const sign = negative(f) ? "-" : "";
  if (f === 0) return sign + "0";
  const abs = Math.abs(f);
  const { digits, point } = shortestDigits(f);
  if (abs < 1e-6 || abs >= 1e21)
    return sign + exponential(digits, point, "e").replace(/e([+-])0(\d)$/, "e$1$2");
  return sign + fixed(digits, point);
}

/** `stores.ValToString` for a float: `G` format, with `.0` added when it would read as an integer. */
export function floatValToString(f: number): string {
  const g = formatFloatG(f, "E");
  if (!g.includes(".") && !g.includes("E")) {
    const s = special(f);
    if (s !== undefined) return s;
    return formatFloatF(f) + ".0";
  }
  return g;
}

/** `strconv.Atoi` on 64-bit: optional sign, decimal digits, int64 range. */
export function parseGoInt(text: string): bigint | undefined {
  if (!/^[+-]?\d+$/.test(text)) return undefined;
  const value = BigInt(text);
  return value < INT64_MIN || value > INT64_MAX ? undefined : value;
}

/**
 * `strconv.ParseInt(text, 0, 64)` (`unsigned` false) or `ParseUint(text, 0, 64)` (true): base
 * prefixes 0x/0o/0b, a leading 0 for octal, no underscores (callers strip them first, as yaml.v3).
 */
export function parseGoIntBase0(text: string, unsigned: boolean): bigint | undefined {
  const m = /^([+-]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9]\d*)$/.exec(text);
  if (!m) return undefined;
  const [, sign = "", body = ""] = m;
  if (unsigned && sign !== "") return undefined;
  let magnitude: bigint;
  if (/^0[xXoObB]/.test(body)) magnitude = BigInt(body.slice(0, 2).toLowerCase() + body.slice(2));
  else if (body.length > 1 && body.startsWith("0")) magnitude = BigInt("0o" + body.slice(1));
  else magnitude = BigInt(body);
  const value = sign === "-" ? -magnitude : magnitude;
  if (unsigned) return value > UINT64_MAX ? undefined : value;
  return value < INT64_MIN || value > INT64_MAX ? undefined : value;
}

/**
 * `strconv.ParseFloat(text, 64)` for decimal and special spellings (hex floats are not written by
 * sops and are refused here). Out-of-range values are refused, as Go reports ErrRange.
 */
export function parseGoFloat(text: string): number | undefined {
  const special = /^([+-]?)(inf|infinity|nan)$/i.exec(text);
  if (special) {
    if (special[2]?.toLowerCase() === "nan") return special[1] ? undefined : NaN;
    return special[1] === "-" ? -Infinity : Infinity;
  }
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}

/** `strconv.ParseBool`. */
export function parseGoBool(text: string): boolean | undefined {
  if (["1", "t", "T", "TRUE", "true", "True"].includes(text)) return true;
  if (["0", "f", "F", "FALSE", "false", "False"].includes(text)) return false;
  return undefined;
}
