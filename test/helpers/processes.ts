// The process table, read from /proc: which processes descend from a pid (croncd's children and
// theirs, whatever process group they lead), and whether a pid still runs.
import { readdir, readFile } from "node:fs/promises";

interface ProcessEntry {
  pid: number;
  ppid: number;
  state: string;
  command: string;
}

async function processTable(): Promise<ProcessEntry[]> {
  const pids = (await readdir("/proc")).filter((name) => /^\d+$/.test(name));
  const entries = await Promise.all(
    pids.map(async (pid) => {
      const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => undefined);
      if (!stat) return undefined;
      const close = stat.lastIndexOf(")");
      const [state, ppid] = stat.slice(close + 2).split(" ");
      const command = (await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "")).replaceAll("\0", " ");
      return { pid: Number(pid), ppid: Number(ppid), state: state ?? "?", command: command.trim() };
    }),
  );
  return entries.filter((entry): entry is ProcessEntry => entry !== undefined);
}

/** Every living process below `pid` (children, grandchildren...). */
export async function descendantsOf(pid: number): Promise<ProcessEntry[]> {
  const table = await processTable();
  const found: ProcessEntry[] = [];
  let parents = new Set([pid]);
  while (parents.size > 0) {
    const children = table.filter((entry) => parents.has(entry.ppid) && entry.state !== "Z");
    found.push(...children);
    parents = new Set(children.map((entry) => entry.pid));
  }
  return found;
}

/** The processes among `pids` that still run (zombies, already dead, do not count). */
export async function stillRunning(pids: readonly number[]): Promise<ProcessEntry[]> {
  const table = await processTable();
  return table.filter((entry) => pids.includes(entry.pid) && entry.state !== "Z");
}

/** Processes whose command line contains `text` (e.g. a URL only one test uses). */
export async function processesMentioning(text: string): Promise<ProcessEntry[]> {
  return (await processTable()).filter((entry) => entry.command.includes(text) && entry.state !== "Z");
}
