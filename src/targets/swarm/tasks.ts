/**
 * Swarm tasks as `docker service ps --no-trunc --format '{{json .}}'` prints them, one JSON object a
 * line. Those rows hold no timestamps: a task's state reads `Failed 3 seconds ago`, the age being
 * worked out by the docker CLI (its clock minus the daemon's timestamp) and rounded by go-units'
 * HumanDuration. The parsers here turn that back into facts, with the age as a range.
 */
import { nonEmptyLines } from "../../util/text-lines.js";

/** One line of `docker service ps --no-trunc --format '{{json .}}'`. */
export interface TaskRow {
  ID: string;
  /** `<service>.<slot>` for replicated services, `<service>.<node id>` for global ones and jobs' slot 0. */
  Name: string;
  Image?: string;
  Node?: string;
  /** `Running`, `Ready`, `Complete` (jobs), `Shutdown`, `Remove`. */
  DesiredState: string;
  /** `Running 2 minutes ago`, `Failed less than a second ago`, `Rejected 3 seconds ago`. */
  CurrentState: string;
  /** The task's error between double quotes (`"task: non-zero exit (1)"`), or "". Never escaped. */
  Error?: string;
  Ports?: string;
}

/** How long ago something happened, as the CLI's rounding allows: `minMs <= age < maxMs`. */
export interface AgeRange {
  minMs: number;
  maxMs: number;
}

export interface ParsedTask {
  id: string;
  /** The task name as printed, `web_app.1`: all tasks of one slot (or node, for global services) share it. */
  slot: string;
  /** Lower case: `running`, `failed`, `rejected`, `complete`, `shutdown`, `pending`… */
  state: string;
  /** Lower case: `running`, `ready`, `complete`, `shutdown`, `remove`. */
  desired: string;
  /** Since the task entered `state`; undefined when the CLI printed something unexpected. */
  age?: AgeRange;
  /** The daemon's own message, without the CLI's quotes. */
  error?: string;
  image?: string;
}

/** Parses the output of `docker service ps --format '{{json .}}'`; blank lines are skipped. */
export function parseTaskRows(stdout: string): TaskRow[] {
  return nonEmptyLines(stdout).map((line) => JSON.parse(line) as TaskRow);
}

export function parseTask(row: TaskRow): ParsedTask {
  const { state, age } = parseCurrentState(row.CurrentState);
  const error = taskError(row.Error);
  return {
    id: row.ID,
    slot: row.Name,
    state,
    desired: row.DesiredState.trim().toLowerCase(),
    ...(age ? { age } : {}),
    ...(error ? { error } : {}),
    ...(row.Image ? { image: row.Image } : {}),
  };
}

/** `Failed 3 seconds ago` → `failed`, 3–4 s. */
export function parseCurrentState(text: string): { state: string; age?: AgeRange } {
  const match = /^\s*(\S+)\s+(.*?)\s+ago\s*$/i.exec(text);
  if (!match) return { state: text.trim().split(/\s+/)[0]?.toLowerCase() ?? "" };
  const state = (match[1] ?? "").toLowerCase();
  const age = parseAge(match[2] ?? "");
  return age ? { state, age } : { state };
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * Inverts go-units' HumanDuration: seconds and minutes are truncated (`3 seconds` is 3–4 s), hours
 * are rounded in newer versions and truncated in older ones, days and longer are coarse.
 */
export function parseAge(text: string): AgeRange | undefined {
  const words = text.trim().toLowerCase();
  if (words === "less than a second") return { minMs: 0, maxMs: SECOND };
  if (words === "about a minute") return { minMs: MINUTE, maxMs: 2 * MINUTE };
  if (words === "about an hour") return { minMs: 30 * MINUTE, maxMs: 2 * HOUR };
  const match = /^(\d+)\s+(second|minute|hour|day|week|month|year)s?$/.exec(words);
  if (!match) return undefined;
  const count = Number(match[1]);
  switch (match[2]) {
    case "second":
      return { minMs: count * SECOND, maxMs: (count + 1) * SECOND };
    case "minute":
      return { minMs: count * MINUTE, maxMs: (count + 1) * MINUTE };
    case "hour":
      return { minMs: (count - 0.5) * HOUR, maxMs: (count + 1) * HOUR };
    case "day":
      return { minMs: count * DAY, maxMs: (count + 1) * DAY };
    case "week":
      return { minMs: count * 7 * DAY, maxMs: (count + 1) * 7 * DAY };
    case "month":
      return { minMs: count * 30 * DAY, maxMs: (count + 1) * 30 * DAY };
    default:
      return { minMs: count * 365 * DAY, maxMs: (count + 1) * 365 * DAY };
  }
}

/**
 * The CLI prints a task's error as `"` + message + `"`, without escaping quotes inside it
 * (`"starting container failed: … exec: "/app": stat /app: no such file or directory: unknown"`).
 */
export function taskError(raw: string | undefined): string | undefined {
  const text = (raw ?? "").trim();
  if (text === "") return undefined;
  const unquoted = text.length >= 2 && text.startsWith('"') && text.endsWith('"') ? text.slice(1, -1) : text;
  return unquoted.trim() || undefined;
}

/**
 * The service a task belongs to, from its name (`<service>.<slot or node id>`): the longest service
 * name that is followed by a dot.
 */
export function serviceOfTask(taskName: string, serviceNames: readonly string[]): string | undefined {
  let best: string | undefined;
  for (const name of serviceNames) {
    if (taskName.startsWith(`${name}.`) && (best === undefined || name.length > best.length)) best = name;
  }
  return best;
}
