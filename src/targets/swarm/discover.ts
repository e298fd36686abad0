/**
 * Stack discovery: every direct subfolder of the target's path that holds a compose file is one
 * stack, named after the folder. Nothing else is read, so a README or a disabled folder beside the
 * stacks is harmless.
 */
import { lstat, readdir } from "node:fs/promises";
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

export interface Discovery {
  stacks: DiscoveredStack[];
  /** Folders holding a compose file whose name cannot be a stack name: each fails on its own. */
  invalid: { name: string; error: RenderError }[];
}

export async function discoverStacks(stacksRoot: string, displayRoot: string): Promise<Discovery> {
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
  const discovery: Discovery = { stacks: [], invalid: [] };
  // Symbolic links are not followed (a Dirent of a link is not a directory): a stack folder
  // linked from elsewhere could lead outside the repository.
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (!entry.isDirectory() || entry.name.startsWith(".")) continue;
    const dir = path.join(stacksRoot, entry.name);
    const [chosen, ...ignored] = await presentComposeFiles(dir);
    if (!chosen) continue;
    if (!STACK_NAME.test(entry.name)) {
      discovery.invalid.push({
        name: entry.name,
        error: new RenderError(`"${entry.name}" is not a valid stack name`, {
          subject: path.join(displayRoot, entry.name),
          hint: "rename the folder to lowercase letters, digits, '-' and '_'",
        }),
      });
      continue;
    }
    discovery.stacks.push({
      name: entry.name,
      dir,
      composeFile: path.join(dir, chosen),
      ignoredComposeFiles: ignored,
    });
  }
  return discovery;
}

/**
 * A compose file may be a symbolic link; rendering then confines it to the repository like every
 * other file, so a link pointing out fails that stack with a clear error instead of being ignored.
 */
async function presentComposeFiles(dir: string): Promise<string[]> {
  const present: string[] = [];
  for (const name of COMPOSE_FILE_NAMES) {
    const info = await lstat(path.join(dir, name)).catch(() => undefined);
    if (info?.isFile() || info?.isSymbolicLink()) present.push(name);
  }
  return present;
}
