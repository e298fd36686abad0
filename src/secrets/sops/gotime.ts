/**
 * The slice of Go's `time` package that sops's formats depend on: RFC 3339 parsing and printing
 * (the MAC's AAD is `lastmodified` re-printed with `time.RFC3339`; `type:time` values are hashed
 * as `MarshalText`, i.e. RFC 3339 with nanoseconds), and the timestamp layouts yaml.v3 resolves
 * unquoted YAML scalars with (go.yaml.in/yaml/v3 `resolve.go`, `allowedTimestampFormats`).
 *
 * A time keeps the fields and the zone offset it was written with, as a Go `time.Time` does.
 */

export interface GoTime {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  readonly nanosecond: number;
  /** East of UTC, in seconds. */
  readonly offsetSeconds: number;
}

function daysIn(month: number, year: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

function validDate(year: number, month: number, day: number): boolean {
  return month >= 1 && month <= 12 && day >= 1 && day <= daysIn(month, year);
}

/** Go's fraction handling: digits after the dot, at most 9 count. */
function nanosFrom(digits: string): number {
  return Number((digits + "000000000").slice(0, 9));
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:(Z)|([+-])(\d{2}):(\d{2}))$/;

/** `time.Parse(time.RFC3339, text)`, for the layouts sops writes and reads. */
export function parseRfc3339(text: string): GoTime | undefined {
  const m = RFC3339.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (!validDate(year, month, day) || hour > 23 || minute > 59 || second > 59) return undefined;
  let offsetSeconds = 0;
  if (!m[8]) {
    const zoneHours = Number(m[10]);
    const zoneMinutes = Number(m[11]);
    if (zoneHours > 23 || zoneMinutes > 59) return undefined;
    offsetSeconds = (zoneHours * 60 + zoneMinutes) * 60 * (m[9] === "-" ? -1 : 1);
  }
  return { year, month, day, hour, minute, second, nanosecond: nanosFrom(m[7] ?? ""), offsetSeconds };
}

const YAML_TIMESTAMP =
  /^(\d{4})-(\d{1,2})-(\d{1,2})(?:(?:([Tt])|( ))(\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.(\d+))?(?:(Z)|([+-])(\d{2}):(\d{2}))?)?$/;

/**
 * yaml.v3's timestamp resolution: `2006-1-2T15:4:5.999999999Z07:00` (also with a lower-case
 * `t`), `2006-1-2 15:4:5.999999999` (UTC) and `2006-1-2` (UTC midnight). Anything else is not
 * a timestamp.
 */
export function parseYamlTimestamp(text: string): GoTime | undefined {
  const m = YAML_TIMESTAMP.exec(text);
  if (!m) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (!validDate(year, month, day)) return undefined;
  if (m[6] === undefined) {
    return { year, month, day, hour: 0, minute: 0, second: 0, nanosecond: 0, offsetSeconds: 0 };
  }
  const hour = Number(m[6]);
  const minute = Number(m[7]);
  const second = Number(m[8]);
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  const hasZone = m[10] !== undefined || m[11] !== undefined;
  // The space-separated layout has no zone; the T layouts require one.
  if (m[5] !== undefined && hasZone) return undefined;
  if (m[4] !== undefined && !hasZone) return undefined;
  let offsetSeconds = 0;
  if (m[11] !== undefined) {
    const zoneHours = Number(m[12]);
    const zoneMinutes = Number(m[13]);
    if (zoneHours > 23 || zoneMinutes > 59) return undefined;
    offsetSeconds = (zoneHours * 60 + zoneMinutes) * 60 * (m[11] === "-" ? -1 : 1);
  }
  return { year, month, day, hour, minute, second, nanosecond: nanosFrom(m[9] ?? ""), offsetSeconds };
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, "0");
}

/**
 * `t.Format(time.RFC3339)` (`nano` false: no fraction) or `time.RFC3339Nano` / `MarshalText`
 * (`nano` true: the fraction without trailing zeros). A zero offset prints as `Z`. Undefined for
 * years `MarshalText` refuses (outside 0…9999).
 */
export function formatRfc3339(time: GoTime, nano: boolean): string | undefined {
  if (time.year < 0 || time.year > 9999) return undefined;
  let text = `${pad(time.year, 4)}-${pad(time.month, 2)}-${pad(time.day, 2)}T${pad(time.hour, 2)}:${pad(
    time.minute,
    2,
  )}:${pad(time.second, 2)}`;
  if (nano && time.nanosecond > 0) text += "." + pad(time.nanosecond, 9).replace(/0+$/, "");
  if (time.offsetSeconds === 0) return text + "Z";
  const sign = time.offsetSeconds < 0 ? "-" : "+";
  const minutes = Math.floor(Math.abs(time.offsetSeconds) / 60);
  return `${text}${sign}${pad(Math.floor(minutes / 60), 2)}:${pad(minutes % 60, 2)}`;
}
