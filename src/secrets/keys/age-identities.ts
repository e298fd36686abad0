/**
 * Collects the age identities (private keys) that may open a sops file, from the places sops
 * reads them (getsops/sops `age/keysource.go`, `loadIdentities`), with sops's semantics:
 *
 * 1. `SOPS_AGE_KEY`: keys in the variable itself. One or more per line, separated by spaces.
 * 2. `SOPS_AGE_KEY_FILE`: a keys file. If the variable is set, the file must exist.
 * 3. `SOPS_AGE_KEY_CMD`: a command whose stdout holds keys. It is split like a shell would split
 *    it (no shell runs it). `SOPS_AGE_RECIPIENT` is set to the recipient being opened.
 * 4. The default keys file `<user config dir>/sops/age/keys.txt`, where the user config dir is Go's
 *    `os.UserConfigDir()`: `$XDG_CONFIG_HOME`, or `$HOME/.config` on Linux; `$XDG_CONFIG_HOME`
 *    or `$HOME/Library/Application Support` on macOS; `%AppData%` on Windows. A missing default
 *    file is no error.
 *
 * Every source is read, and all keys found are tried: a source does not hide the others. A
 * variable that is set counts even when it is empty. In a file or command output, each line is
 * one key. Lines that are empty or start with `#` are skipped; nothing is trimmed. A source with
 * one malformed line contributes no keys, and the problem is reported (by variable and line,
 * never the content). The other sources still count. That is how sops behaves too.
 *
 * croncd cannot use everything sops can. age plugin identities (`AGE-PLUGIN-…`) and
 * passphrase-protected key files are recorded (`plugins`, `protectedFiles`), so the caller can
 * hand the file to the sops binary instead. SSH keys (`SOPS_AGE_SSH_PRIVATE_KEY_FILE`, `~/.ssh/id_ed25519`) only
 * open `ssh-` recipients, and the caller sends those to the sops binary without reading the keys.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { runProgram } from "../../ports/exec.js";
import { bech32PayloadLength } from "./bech32.js";
import { splitShellWords } from "../../util/shell-words.js";
import { secretToolTurn } from "./secret-tool-turn.js";
import { GO_SPACE_RUN } from "../../util/go-whitespace.js";

export const SOPS_AGE_KEY = "SOPS_AGE_KEY";
export const SOPS_AGE_KEY_FILE = "SOPS_AGE_KEY_FILE";
export const SOPS_AGE_KEY_CMD = "SOPS_AGE_KEY_CMD";
export const SOPS_AGE_RECIPIENT = "SOPS_AGE_RECIPIENT";
/** Where sops looks inside the user config dir. */
export const DEFAULT_KEYS_FILE = path.join("sops", "age", "keys.txt");

export interface AgeIdentity {
  /** The private key (`AGE-SECRET-KEY-1…` or `AGE-SECRET-KEY-PQ-1…`). Never print it. */
  readonly secretKey: string;
  readonly kind: "x25519" | "post-quantum";
  /** Where it was found, for messages: `SOPS_AGE_KEY_FILE (/keys.txt) line 3`. */
  readonly origin: string;
}

export interface AgeIdentities {
  identities: AgeIdentity[];
  /** Every place looked at and what it held, e.g. `SOPS_AGE_KEY: not set`. No secrets. */
  places: string[];
  /** Why a source gave no keys: unreadable file, malformed line, failing command. No secrets. */
  problems: string[];
  /** age plugin identities (`AGE-PLUGIN-…`), by origin: only the sops binary can use them. */
  plugins: string[];
  /** Passphrase-protected key files: sops asks for the passphrase, croncd cannot. */
  protectedFiles: string[];
}

export interface AgeIdentityOptions {
  /** The environment to read (never `process.env` implicitly, so tests control it). */
  env: NodeJS.ProcessEnv;
  /** Decides the default keys file's directory, like Go's `os.UserConfigDir()`. */
  platform?: NodeJS.Platform;
  /** How long `SOPS_AGE_KEY_CMD` may run. sops has no limit; a CI job must not hang forever. */
  commandTimeoutMs?: number;
}

export const DEFAULT_KEY_COMMAND_TIMEOUT_MS = 120_000;

/**
 * Reads every source. `recipient` is passed to `SOPS_AGE_KEY_CMD` as `SOPS_AGE_RECIPIENT`, as
 * sops does for each key it tries to open; without a recipient the variable is left unset.
 */
export async function collectAgeIdentities(
  options: AgeIdentityOptions,
  recipient?: string,
): Promise<AgeIdentities> {
  const found: AgeIdentities = {
    identities: [],
    places: [],
    problems: [],
    plugins: [],
    protectedFiles: [],
  };
  const { env } = options;
  let sourcesRead = 0;

  const fromKeyVariable = env[SOPS_AGE_KEY];
  if (fromKeyVariable === undefined) found.places.push(`${SOPS_AGE_KEY}: not set`);
  else {
    sourcesRead += 1;
    addSource(found, SOPS_AGE_KEY, fromKeyVariable, true);
  }

  const keyFile = env[SOPS_AGE_KEY_FILE];
  if (keyFile === undefined) found.places.push(`${SOPS_AGE_KEY_FILE}: not set`);
  else {
    // A GitLab "Variable" where a "File" was meant holds the key itself: never echo it back.
    const label = /AGE-SECRET-KEY|\n/i.test(keyFile)
      ? `${SOPS_AGE_KEY_FILE} (which holds something other than a path)`
      : `${SOPS_AGE_KEY_FILE} (${keyFile})`;
    const text = await readText(keyFile);
    if (typeof text === "string") {
      sourcesRead += 1;
      addSource(found, label, text, false);
    } else {
      found.places.push(`${label}: ${text.problem}`);
      found.problems.push(`${label} cannot be read: ${text.problem}`);
    }
  }

  const command = env[SOPS_AGE_KEY_CMD];
  if (command === undefined) found.places.push(`${SOPS_AGE_KEY_CMD}: not set`);
  else {
    const output = await runKeyCommand(command, options, recipient);
    if ("stdout" in output) {
      sourcesRead += 1;
      addSource(found, SOPS_AGE_KEY_CMD, output.stdout, false);
    } else {
      found.places.push(`${SOPS_AGE_KEY_CMD}: failed`);
      found.problems.push(output.problem);
    }
  }

  const configDir = userConfigDir(env, options.platform ?? process.platform);
  if ("problem" in configDir) {
    // sops reports this only when nothing else was configured.
    if (sourcesRead === 0) {
      found.places.push(`the default keys file: ${configDir.problem}`);
      found.problems.push(`the default keys file cannot be located: ${configDir.problem}`);
    }
  } else {
    const file = path.join(configDir.dir, DEFAULT_KEYS_FILE);
    const label = `${configDir.via}/${DEFAULT_KEYS_FILE} (${file})`;
    const text = await readText(file);
    if (typeof text === "string") addSource(found, label, text, false);
    else if (text.missing) found.places.push(`${label}: does not exist`);
    else {
      found.places.push(`${label}: ${text.problem}`);
      found.problems.push(`${label} cannot be read: ${text.problem}`);
    }
  }
  return found;
}

/** Parses one source's text and records its keys, or why it gave none. */
function addSource(found: AgeIdentities, label: string, text: string, severalPerLine: boolean): void {
  // An age-encrypted key file (binary or armored): sops asks for its passphrase.
  const start = text.slice(0, 14);
  if (start === "age-encryption" || start === "-----BEGIN AGE") {
    found.places.push(`${label}: a passphrase-protected key file`);
    found.protectedFiles.push(label);
    return;
  }
  const parsed = parseIdentities(text, label, severalPerLine);
  if ("problem" in parsed) {
    found.places.push(`${label}: malformed, not used`);
    found.problems.push(parsed.problem);
    return;
  }
  found.identities.push(...parsed.identities);
  found.plugins.push(...parsed.plugins);
  const count = parsed.identities.length + parsed.plugins.length;
  found.places.push(`${label}: ${count === 0 ? "no keys" : count === 1 ? "1 key" : `${count} keys`}`);
}

/**
 * One key per line (or per word, for `SOPS_AGE_KEY`). The first malformed key makes the whole
 * source unusable, as in sops. Messages name the line, never its content.
 */
export function parseIdentities(
  text: string,
  label: string,
  severalPerLine: boolean,
): { identities: AgeIdentity[]; plugins: string[] } | { problem: string } {
  const identities: AgeIdentity[] = [];
  const plugins: string[] = [];
  const lines = text.split("\n");
  for (const [index, rawLine] of lines.entries()) {
    // Go's line scanner drops one `\r` before the newline; nothing else is trimmed.
    const line = rawLine.endsWith("\r") ? rawLine.slice(0, -1) : rawLine;
    if (line === "" || line.startsWith("#")) continue;
    const origin = `${label} line ${index + 1}`;
    const words = severalPerLine ? line.split(GO_SPACE_RUN).filter((word) => word !== "") : [line];
    for (const word of words) {
      if (word.startsWith("AGE-PLUGIN-")) {
        plugins.push(origin);
        continue;
      }
      const kind = identityKind(word);
      if (kind === "unknown") {
        return {
          problem: `${origin} is not an age identity (expected AGE-SECRET-KEY-1… or AGE-SECRET-KEY-PQ-1…); no key from ${label} is used`,
        };
      }
      if (kind === "invalid") {
        return {
          problem: `${origin} is a malformed age identity (bad checksum, length or case); no key from ${label} is used`,
        };
      }
      identities.push({ secretKey: word, kind, origin });
    }
  }
  return { identities, plugins };
}

function identityKind(word: string): AgeIdentity["kind"] | "unknown" | "invalid" {
  // sops dispatches on these exact (upper-case) prefixes; the PQ prefix must be checked first.
  const kind = word.startsWith("AGE-SECRET-KEY-PQ-1")
    ? "post-quantum"
    : word.startsWith("AGE-SECRET-KEY-1")
      ? "x25519"
      : undefined;
  if (!kind) return "unknown";
  // Both kinds encode 32 bytes: an X25519 scalar, or the seed of the hybrid key.
  const prefix = kind === "post-quantum" ? "AGE-SECRET-KEY-PQ-" : "AGE-SECRET-KEY-";
  return bech32PayloadLength(word, prefix) === 32 ? kind : "invalid";
}

async function readText(file: string): Promise<string | { problem: string; missing: boolean }> {
  try {
    return await readFile(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const problem =
      code === "ENOENT"
        ? "does not exist"
        : code === "EACCES"
          ? "permission denied"
          : code === "EISDIR"
            ? "is a directory"
            : (code ?? String(error));
    return { problem, missing: code === "ENOENT" || code === "ENOTDIR" };
  }
}

async function runKeyCommand(
  command: string,
  options: AgeIdentityOptions,
  recipient: string | undefined,
): Promise<{ stdout: string } | { problem: string }> {
  let words: string[];
  try {
    words = splitShellWords(command);
  } catch (error) {
    return { problem: `${SOPS_AGE_KEY_CMD} cannot be split into words: ${(error as Error).message}` };
  }
  const [program, ...args] = words;
  if (program === undefined) return { problem: `${SOPS_AGE_KEY_CMD} is set but holds no command` };
  const result = await secretToolTurn(() =>
    runProgram(program, args, {
      env: { ...options.env, ...(recipient === undefined ? {} : { [SOPS_AGE_RECIPIENT]: recipient }) },
      timeoutMs: options.commandTimeoutMs ?? DEFAULT_KEY_COMMAND_TIMEOUT_MS,
    }),
  );
  if (result.notFound) return { problem: `${SOPS_AGE_KEY_CMD}: ${program} was not found on PATH` };
  if (result.exitCode !== 0) {
    // Only the last line, capped: a command run with tracing on could print the key it read.
    const lastLine = result.stderr.trim().split("\n").at(-1)?.slice(0, 200) ?? "";
    return {
      problem: `${SOPS_AGE_KEY_CMD} (${program}) failed with exit code ${result.exitCode}${lastLine ? `: ${lastLine}` : ""}`,
    };
  }
  return { stdout: result.stdout };
}

/** Go's `os.UserConfigDir()`, with sops's macOS exception (it honours `XDG_CONFIG_HOME` there too). */
export function userConfigDir(
  env: NodeJS.ProcessEnv,
  platform: NodeJS.Platform,
): { dir: string; via: string } | { problem: string } {
  const xdg = env.XDG_CONFIG_HOME;
  const home = env.HOME;
  if (platform === "win32") {
    const appData = env.AppData ?? env.APPDATA;
    return appData ? { dir: appData, via: "%AppData%" } : { problem: "%AppData% is not defined" };
  }
  if (platform === "darwin") {
    if (xdg) return { dir: xdg, via: "$XDG_CONFIG_HOME" };
    return home
      ? { dir: path.join(home, "Library", "Application Support"), via: "~/Library/Application Support" }
      : { problem: "$HOME is not defined" };
  }
  if (xdg) {
    return path.isAbsolute(xdg)
      ? { dir: xdg, via: "$XDG_CONFIG_HOME" }
      : { problem: "the path in $XDG_CONFIG_HOME is relative" };
  }
  return home
    ? { dir: path.join(home, ".config"), via: "~/.config" }
    : { problem: "neither $XDG_CONFIG_HOME nor $HOME is defined" };
}
