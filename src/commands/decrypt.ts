/**
 * `croncd decrypt FILE`: prints a sops file's plaintext in the file's own format, like
 * `sops --decrypt`, with keys from the same places. It lets a person check, on the CI runner and
 * with the runner's keys, exactly what croncd will see.
 */
import type { Writable } from "node:stream";
import { decryptSopsFile } from "../secrets/decrypt-file.js";
import type { SopsFormat } from "../secrets/sops/index.js";

export interface DecryptRequest {
  file: string;
  env: NodeJS.ProcessEnv;
  ignoreMac?: boolean;
  format?: SopsFormat;
  /** Where the plaintext goes (stdout); never the log. */
  out: Writable;
}

export async function decryptCommand(request: DecryptRequest): Promise<void> {
  const decrypted = await decryptSopsFile(request.file, {
    env: request.env,
    ...(request.ignoreMac ? { ignoreMac: true } : {}),
    ...(request.format ? { format: request.format } : {}),
  });
  await new Promise<void>((resolve, reject) => {
    request.out.write(decrypted.plaintext, (error) => (error ? reject(error) : resolve()));
  });
}
