/**
 * Reads the files of one stack that may be sops-encrypted — env files, and the `file:` of Swarm
 * configs and secrets — detected by content, not by name. It remembers what the rest of the run
 * must know without ever keeping plaintext where it could leak:
 *
 * - every decrypted value, handed to the masker at once (before any later message could show it);
 * - a digest of every ciphertext, which stands in for the secrets in the desired-state hash
 *   (labels must carry no hash of plaintext);
 * - for configs and secrets, the decrypted content in memory only: croncd creates those Swarm
 *   objects itself through the Engine API, so no plaintext is ever written to disk, where a
 *   killed run (SIGKILL, the OOM killer) would leave it behind.
 */
import { readFile } from "node:fs/promises";
import { parseDotenv } from "../../compose/dotenv.js";
import type { VariableLookup } from "../../compose/interpolate.js";
import { decodeUtf8 } from "../../compose/utf8.js";
import { decryptSopsFile } from "../../secrets/decrypt-file.js";
import { locateError } from "../../errors.js";
import { formatFromPath, isSopsFile } from "../../secrets/sops/index.js";
import { sha256Hex } from "../../util/hash.js";
import { ObjectContent } from "./object-content.js";

export interface StackSecretsOptions {
  /** Where sops keys come from (SOPS_AGE_KEY...). */
  env: NodeJS.ProcessEnv;
  /** Called with every decrypted value as soon as it is known. */
  onSecrets: (values: readonly string[]) => void;
}

/** Bumped whenever croncd's decrypted output for the same ciphertext could change. */
const PLAINTEXT_FORMAT_VERSION = "\0croncd-plaintext-v1";

export interface ObjectFile {
  /** What the object's name is derived from: the ciphertext for sops files, else the content. */
  nameSource: Uint8Array;
  /** What the Swarm object holds: the file itself, or a sops file's decrypted content. */
  content: ObjectContent;
  /** True for a sops file: croncd creates the object itself, from memory. */
  encrypted: boolean;
}

export interface EnvFile {
  variables: Map<string, string>;
  /** True when the file was sops-encrypted: its values are secrets. */
  encrypted: boolean;
}

export class StackSecrets {
  /** SHA-256 of each sops file read, in reading order. */
  readonly ciphertextDigests: string[] = [];
  private readonly decryptedEnvFiles = new Map<string, Map<string, string>>();

  constructor(private readonly options: StackSecretsOptions) {}

  /**
   * An env file, plain (docker compose's `.env` rules) or sops-encrypted dotenv. With
   * `placeholders`, a sops file's values come back as `<secret file:KEY>`, for the hash.
   */
  async readEnvFile(
    file: string,
    display: string,
    lookup?: VariableLookup,
    options: { placeholders?: boolean } = {},
  ): Promise<EnvFile> {
    const bytes = await readFile(file);
    if (!isSopsFile(bytes, "dotenv")) {
      return { variables: parseDotenv(decodeUtf8(bytes, display), display, lookup), encrypted: false };
    }
    let variables = this.decryptedEnvFiles.get(file);
    if (!variables) {
      const decrypted = await decryptSopsFile(file, {
        env: this.options.env,
        format: "dotenv",
        displayName: display,
      }).catch((error: unknown) => {
        throw locateError(error, { file: display });
      });
      this.remember(bytes, decrypted.secrets);
      // sops dotenv values are literal: no interpolation, as `sops exec-env` would pass them.
      variables = decrypted.variables;
      this.decryptedEnvFiles.set(file, variables);
    }
    if (!options.placeholders) return { variables, encrypted: true };
    return {
      variables: new Map([...variables.keys()].map((key) => [key, `<secret ${display}:${key}>`])),
      encrypted: true,
    };
  }

  /** The file behind a Swarm config or secret; a sops file is decrypted, into memory only. */
  async readObjectFile(file: string, display: string): Promise<ObjectFile> {
    const bytes = await readFile(file);
    const format = formatFromPath(file);
    if (!isSopsFile(bytes, format)) {
      return { nameSource: bytes, content: new ObjectContent(bytes), encrypted: false };
    }
    // The name follows the ciphertext; the version tag renames every object should croncd ever
    // print a decrypted file differently (Swarm refuses new data under an existing name).
    const decrypted = await decryptSopsFile(file, {
      env: this.options.env,
      format,
      displayName: display,
    }).catch((error: unknown) => {
      throw locateError(error, { file: display });
    });
    this.remember(bytes, decrypted.secrets);
    return {
      nameSource: Buffer.concat([bytes, Buffer.from(PLAINTEXT_FORMAT_VERSION)]),
      content: new ObjectContent(decrypted.plaintext),
      encrypted: true,
    };
  }

  private remember(ciphertext: Uint8Array, secrets: readonly string[]): void {
    this.options.onSecrets(secrets);
    this.ciphertextDigests.push(sha256Hex(ciphertext));
  }
}
