/** `croncd render --out DIR`: the files croncd would deploy, one folder per target and stack. */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { stringify } from "yaml";
import { escapeDollars } from "../compose/interpolate.js";
import type { Logger } from "../report/logger.js";
import type { DesiredStack } from "../targets/swarm/model.js";
import { withObjectsCroncdCreates } from "../targets/swarm/render.js";

export async function writeRenderedStacks(
  outDir: string,
  target: string,
  stacks: readonly DesiredStack[],
  log: Logger,
): Promise<void> {
  for (const stack of stacks) {
    const dir = path.join(outDir, target, stack.name);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    // Masked value by value (then serialised, so the file stays valid YAML): this folder is meant
    // to be read, diffed and uploaded as a CI artifact.
    const deployed = withObjectsCroncdCreates(stack.document, stack.objects);
    const masked = stringify(escapeDollars(log.masker.maskValues(deployed)), { lineWidth: 0 });
    await writeFile(path.join(dir, "compose.yaml"), masked, { mode: 0o600 });
  }
}
