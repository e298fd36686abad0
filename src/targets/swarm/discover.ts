/**
 * Stack discovery: every direct subfolder of the target's path that holds a compose file is one
 * stack, named after the folder. Nothing else is read, so a README or a disabled folder beside the
 * stacks is harmless.
 */
import { readdir, stat } from "node:fs/promises";
import path from "node:path";
import { RenderError } from "../../errors.js";

/** In the order `docker compose` prefers them. */
export const COMPOSE_FILE_NAMES = [
  "compose.yaml",
  "compose.yml",
  "docker-compose.yaml",
  "docker-compose.yml",
];

/** Swarm stack names end up in service, network and DNS names. */
const STACK_NAME = /^[a-z0-9][a-z0-9_-]*$/;

export interface DiscoveredStack {
  name: string;
  /** Absolute folder of the stack. */
  dir: string;
  /** Absolute path of the compose file. */
  composeFile: string;
  /** Other compose file names present in the folder, ignored (a warning worth showing). */
  ignoredComposeFiles: string[];
}

export async function discoverStacks(stacksRoot: string, displayRoot: string): Promise<DiscoveredStack[]> {
  let entries;
  try {
    entries = await readdir(stacksRoot, { withFileTypes: true });
  } catch (error) {
    throw new RenderError("the target's path does not exist or is not a folder", {
      subject: displayRoot,
      hint: "check the target's path in croncd.yaml",
      cause: error,
    });
  }
  const stacks: DiscoveredStack[] = [];
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (!entry.isDirectory() || entry.name.startsWith(".")) continue;
    const dir = path.join(stacksRoot, entry.name);
    const present = await presentComposeFiles(dir);
    const [chosen, ...ignored] = present;
    if (!chosen) continue;
    if (!STACK_NAME.test(entry.name)) {
      throw new RenderError(`"${entry.name}" is not a valid stack name`, {
        subject: path.join(displayRoot, entry.name),
        hint: "rename the folder to lowercase letters, digits, '-' and '_'",
      });
    }
    stacks.push({ name: entry.name, dir, composeFile: path.join(dir, chosen), ignoredComposeFiles: ignored });
  }
  return stacks;
}

async function presentComposeFiles(dir: string): Promise<string[]> {
  const present: string[] = [];
  for (const name of COMPOSE_FILE_NAMES) {
    const info = await stat(path.join(dir, name)).catch(() => undefined);
    if (info?.isFile()) present.push(name);
  }
  return present;
}
