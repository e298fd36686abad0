/**
 * Which unfetched git submodule a missing file lies in, if any: a compose file pointing into a
 * submodule (`env_file: ../../vendor/base/app.env`) finds an empty folder when its source does
 * not fetch submodules, and "does not exist" alone would send people looking in the wrong place.
 */
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";

/** The submodule path (relative to the repository) holding `file`, when that submodule was not fetched. */
export async function unfetchedSubmoduleHolding(repoRoot: string, file: string): Promise<string | undefined> {
  const relative = path.relative(repoRoot, file).split(path.sep).join("/");
  const declared = await readFile(path.join(repoRoot, ".gitmodules"), "utf8").catch(() => "");
  for (const match of declared.matchAll(/^\s*path\s*=\s*(.+?)\s*$/gm)) {
    const submodule = match[1] as string;
    if (relative !== submodule && !relative.startsWith(`${submodule}/`)) continue;
    // An unfetched submodule is an empty folder in the checkout.
    const entries = await readdir(path.join(repoRoot, submodule)).catch(() => []);
    return entries.length === 0 ? submodule : undefined;
  }
  return undefined;
}
