/** `croncd render --out DIR`: the files croncd would deploy, one folder per target and stack. */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Logger } from "../report/logger.js";
import type { DesiredStack } from "../targets/swarm/model.js";

export async function writeRenderedStacks(
  outDir: string,
  target: string,
  stacks: readonly DesiredStack[],
  log: Logger,
): Promise<void> {
  for (const stack of stacks) {
    const dir = path.join(outDir, target, stack.name);
    await mkdir(dir, { recursive: true });
    // Masked: this folder is meant to be read, diffed and uploaded as a CI artifact.
    await writeFile(path.join(dir, "compose.yaml"), log.masker.mask(stack.yaml), { mode: 0o600 });
  }
}
