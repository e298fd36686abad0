/**
 * Decrypts with the real `sops` binary: for files croncd cannot open in-process (PGP, cloud KMS,
 * Vault, age plugins and SSH keys). sops reads its keys from the same environment.
 *
 * The plaintext is read from sops's stdout as raw bytes, never through a file: a file would outlive
 * a run killed with SIGKILL. (runProgram is not used for it: it decodes stdout as UTF-8 and drops
 * the final newline, which would corrupt binary payloads and change text ones.)
 */
import { SecretError } from "../../errors.js";
import { startProgram, type ExecResult } from "../../ports/exec.js";
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

/** The arguments croncd gives sops (FILE last); the plaintext comes on stdout. */
export function sopsDecryptArguments(file: string, format: SopsFormat, ignoreMac: boolean): string[] {
  return [
    "--decrypt",
    "--input-type",
    format,
    "--output-type",
    format,
    ...(ignoreMac ? ["--ignore-mac"] : []),
    file,
  ];
}

export async function decryptWithSopsBinary(file: string, options: SopsBinaryOptions): Promise<Uint8Array> {
  const shown = options.displayName ?? file;
  const result = await secretToolTurn(() =>
    runForBytes(sopsDecryptArguments(file, options.format, options.ignoreMac ?? false), {
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
  return result.stdout;
}

/** Runs sops with nothing on stdin and keeps its stdout byte for byte. */
async function runForBytes(
  args: readonly string[],
  options: { env: NodeJS.ProcessEnv; timeoutMs: number },
): Promise<Omit<ExecResult, "stdout"> & { stdout: Uint8Array }> {
  const program = startProgram("sops", args, { ...options, label: "--decrypt" });
  const chunks: Buffer[] = [];
  program.stdout.on("data", (chunk: Buffer) => chunks.push(chunk));
  // A sops that could not start (not on PATH) has no stdin to end: its exit says why.
  program.stdin.on("error", () => undefined);
  program.stdin.end();
  const exited = await program.exited;
  return { ...exited, stdout: new Uint8Array(Buffer.concat(chunks)) };
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
