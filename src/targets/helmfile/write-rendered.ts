/**
 * `croncd render --out DIR` for a release: the manifests `helmfile template` renders for it, masked
 * (a chart's Secret holds decrypted values), as a file a person can read, diff and upload.
 */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { RenderError } from "../../errors.js";
import type { SecretMasker } from "../../report/mask.js";
import { helmfileTemplate, type HelmfileInvocation } from "./helmfile-cli.js";
import type { DesiredRelease } from "./model.js";
import { helmErrorLine } from "./tools.js";

export async function writeRenderedRelease(
  call: HelmfileInvocation,
  desired: DesiredRelease,
  dir: string,
  masker: SecretMasker,
): Promise<void> {
  const templated = await helmfileTemplate(call, desired.release);
  if (templated.exitCode !== 0) {
    throw new RenderError(`template failed: ${helmErrorLine(templated)}`, {
      subject: `release ${desired.name}`,
    });
  }
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeFile(path.join(dir, "manifests.yaml"), masker.mask(templated.stdout) + "\n", { mode: 0o600 });
}
