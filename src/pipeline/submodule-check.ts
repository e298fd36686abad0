/**
 * A target whose stacks live in a git submodule, or whose stack folder is one, the source did not fetch cannot be
 * read: the submodule's folder is empty. Left alone, its stacks would look deleted from git; so
 * the target fails with a message that says why and what to set, and nothing is pruned.
 */
import path from "node:path";

export function submoduleProblem(
  targetPath: string,
  unfetched: readonly string[],
  sourceName: string,
): string | undefined {
  // `stacks/` and `stacks` are one folder: normalize keeps a trailing slash, which would hide the
  // submodule below it, and the target's stacks would look deleted from git.
  const wanted = path.posix.normalize(targetPath.replaceAll("\\", "/")).replace(/(.)\/+$/, "$1");
  const fix = `which croncd does not fetch: set submodules: true on source ${sourceName}`;
  for (const submodule of unfetched) {
    if (isWithin(wanted, submodule)) {
      return `the target's path ${targetPath} is inside git submodule ${submodule}, ${fix}`;
    }
    // A submodule right below the path is a stack folder croncd cannot see into; deeper ones only
    // matter to the files a compose file names, and those say so themselves.
    if (path.posix.dirname(submodule) === wanted) {
      return `stack folder ${submodule} is a git submodule, ${fix}`;
    }
  }
  return undefined;
}

function isWithin(inner: string, outer: string): boolean {
  return inner === outer || inner.startsWith(`${outer}/`);
}
