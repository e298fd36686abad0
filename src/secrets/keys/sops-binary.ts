/**
 * Decrypts with the real `sops` binary: for files croncd cannot open in-process (PGP, cloud KMS,
 * Vault, age plugins and SSH keys). sops reads its keys from the same environment.
 *
 * The plaintext goes to a 0600 file in a private 0700 directory (`sops --output`), which is
 * removed on every exit path. sops has had `--output` since 3.2.0. It is not read from stdout:
 * the process port decodes stdout as UTF-8 and drops its final newline, and that would corrupt
 * binary payloads and change text ones.
 */
import { readFile, writeFile } from "node:fs/promises";
import { SecretError } from "../../errors.js";
import { createWorkspace } from "../../pipeline/workspace.js";
import { runProgram } from "../../ports/exec.js";
import { secretToolTurn } from "./secret-tool-turn.js";
import type { SopsFormat, SopsMetadata } from "../sops/index.js";
import { SOPS_AGE_KEY_FILE } from "./age-identities.js";
import { describeOtherKeys, keyGroupsOf } from "./key-groups.js";

export interface SopsBinaryOptions {
  env: NodeJS.ProcessEnv;
  format: SopsFormat;
  ignoreMac?: boolean;
  metadata: SopsMetadata;
  /** Why age in-process could not open the file; said when sops is missing. */
  ageReason: string;
  timeoutMs?: number;
  /** How messages name the file (repository-relative); the path by default. */
  displayName?: string;
}

export const DEFAULT_SOPS_TIMEOUT_MS = 120_000;

/** The arguments croncd gives sops (FILE last). */
export function sopsDecryptArguments(
  file: string,
  format: SopsFormat,
  output: string,
  ignoreMac: boolean,
): string[] {
  return [
    "--decrypt",
    "--input-type",
    format,
    "--output-type",
    format,
    ...(ignoreMac ? ["--ignore-mac"] : []),
    "--output",
    output,
    file,
  ];
}

export async function decryptWithSopsBinary(file: string, options: SopsBinaryOptions): Promise<Uint8Array> {
  // A workspace, not a bare temp folder: it is removed on SIGTERM/SIGINT too, even mid-sops.
  const scratch = await createWorkspace("croncd-sops-");
  const shown = options.displayName ?? file;
  try {
    const output = scratch.pathFor("plaintext");
    await writeFile(output, "", { mode: 0o600, flag: "wx" });
    const result = await secretToolTurn(() =>
      runProgram("sops", sopsDecryptArguments(file, options.format, output, options.ignoreMac ?? false), {
        env: options.env,
        timeoutMs: options.timeoutMs ?? DEFAULT_SOPS_TIMEOUT_MS,
      }),
    );
    if (result.notFound) throw missingSops(shown, options);
    if (result.exitCode !== 0) {
      // sops's last line says what went wrong; earlier lines can echo file content.
      const lastLine = result.stderr.trim().split("\n").at(-1)?.slice(0, 300) || "(no message)";
      throw new SecretError(`sops --decrypt failed with exit code ${result.exitCode}: ${lastLine}`, {
        subject: shown,
      });
    }
    return new Uint8Array(await readFile(output));
  } finally {
    await scratch.dispose();
  }
}

function missingSops(file: string, options: SopsBinaryOptions): SecretError {
  const groups = keyGroupsOf(options.metadata);
  const others = [...new Set(groups.flatMap(describeOtherKeys))];
  const fingerprints = groups.flatMap((group) => group.pgp.map((key) => key.fp));
  const what = others.length > 0 ? `it is encrypted for ${others.join(", ")} and ` : "";
  const install = [
    "install sops (https://github.com/getsops/sops/releases)",
    ...(fingerprints.length > 0 ? [`and gpg holding the secret key ${fingerprints.join(" or ")}`] : []),
  ].join(" ");
  return new SecretError(
    `${what}no age key croncd can use opens it: this needs the sops binary, which is not on PATH`,
    {
      subject: file,
      hint: `${options.ageReason}; ${install}, or encrypt the file for an age recipient too and give croncd its key in ${SOPS_AGE_KEY_FILE}`,
    },
  );
}
