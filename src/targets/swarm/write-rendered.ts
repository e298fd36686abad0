/** `croncd render --out DIR` for a stack: the compose file croncd would deploy, masked. */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { stringify } from "yaml";
import { escapeDollars } from "../../compose/interpolate.js";
import type { SecretMasker } from "../../report/mask.js";
import type { DesiredStack } from "./model.js";
import { withObjectsCroncdCreates } from "./render.js";

export async function writeRenderedStack(
  stack: DesiredStack,
  dir: string,
  masker: SecretMasker,
): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  // Masked value by value (then serialised, so the file stays valid YAML): this folder is meant
  // to be read, diffed and uploaded as a CI artifact.
  const deployed = withObjectsCroncdCreates(stack.document, stack.objects);
  const masked = stringify(escapeDollars(masker.maskValues(deployed)), { lineWidth: 0 });
  await writeFile(path.join(dir, "compose.yaml"), masked, { mode: 0o600 });
}
