/**
 * Finds the helmfile a target's `path` names: a file, or a folder holding helmfile.yaml (or
 * helmfile.yaml.gotmpl) or a helmfile.d/ folder — confined to the checkout, symlinks included.
 */
import { stat } from "node:fs/promises";
import path from "node:path";
import { resolveRepoFile } from "../../compose/file-refs.js";
import { RenderError } from "../../errors.js";

export interface LocatedHelmfile {
  /** The helmfile (or helmfile.d folder) as a path relative to the checkout. */
  relative: string;
  /** The checkout-relative folder that helmfile runs in (the helmfile's own folder). */
  folder: string;
}

const CANDIDATES = ["helmfile.yaml", "helmfile.yaml.gotmpl", "helmfile.d"];

export async function locateHelmfile(repoRoot: string, reference: string): Promise<LocatedHelmfile> {
  const field = "the target's path";
  const target = path.resolve(repoRoot, reference);
  const info = await stat(target).catch(() => undefined);
  if (info?.isDirectory()) {
    await resolveRepoFile({ repoRoot, baseDir: repoRoot, reference, field, kind: "directory" });
    for (const candidate of CANDIDATES) {
      const found = await stat(path.join(target, candidate)).catch(() => undefined);
      if (!found) continue;
      const relative = path.join(reference, candidate);
      await resolveRepoFile({
        repoRoot,
        baseDir: repoRoot,
        reference: relative,
        field,
        kind: found.isDirectory() ? "directory" : "file",
      });
      return { relative, folder: path.normalize(reference) };
    }
    throw new RenderError(`folder "${reference}" holds no ${CANDIDATES.join(", ")}`, {
      subject: field,
      hint: "point path at a helmfile, or add one to the folder",
    });
  }
  await resolveRepoFile({ repoRoot, baseDir: repoRoot, reference, field });
  return { relative: path.normalize(reference), folder: path.dirname(path.normalize(reference)) };
}
