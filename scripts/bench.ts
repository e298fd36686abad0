// `npm run bench`: how much faster croncd's in-process sops decryption is than any approach that
// starts a process per file. It writes 200 age-encrypted sops files to a temp dir, then measures
// in the same process:
//   1. in-process: croncd's decryptSopsFile on every file (read, parse, find the keys, unwrap the
//      data key with age-encryption, decrypt every value, verify the MAC);
//   2. in-process, the age step alone: unwrapping the 200 data keys;
//   3. 200 `age --decrypt -i KEYFILE` child processes, each given one file's armored data key
//      on stdin. That is only the data key, with nothing parsed or verified, so it is the floor
//      of a sops-binary (or age-binary) approach: `sops --decrypt` does the same process start
//      and more.
// Then the Swarm part (scripts/bench-swarm.ts): croncd reconcile on a private Swarm of 100 stacks
// against a `docker stack deploy` loop and against the floor of reading the Swarm's state.
//   npm run bench                 both parts
//   npm run bench -- --only sops  (or --only swarm; --stacks N for a smaller or larger Swarm)
// Bundled to dist/bench.mjs by scripts/build.mjs.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { generateX25519Identity, identityToRecipient } from "age-encryption";
import { runProgram } from "../src/ports/exec.js";
import { unwrapAgeStanza } from "../src/secrets/keys/age-unwrap.js";
import { decryptSopsFile } from "../src/secrets/decrypt-file.js";
import { writeBenchFiles, type BenchFile } from "./bench-sops-files.js";
import { DEFAULT_STACKS, swarmBench } from "./bench-swarm.js";

const FILES = 200;
const WARM_UP = 10;

const say = (line: string): void => console.log(line);
const ms = (value: number): string => `${value.toFixed(0)} ms`;
const perFile = (value: number): string => `${(value / FILES).toFixed(2)} ms/file`;

async function timed(label: string, body: () => Promise<void>): Promise<number> {
  const start = performance.now();
  await body();
  const elapsed = performance.now() - start;
  say(`  ${label.padEnd(44)} ${ms(elapsed).padStart(9)}  (${perFile(elapsed)})`);
  return elapsed;
}

async function sopsBench(): Promise<number> {
  const dir = await mkdtemp(path.join(tmpdir(), "croncd-bench-"));
  try {
    const identity = await generateX25519Identity();
    const keyFile = path.join(dir, "keys.txt");
    await writeFile(keyFile, `${identity}\n`, { mode: 0o600 });
    // Only this key file: no SOPS_AGE_KEY of the caller, no default keys file of this machine.
    const env: NodeJS.ProcessEnv = { SOPS_AGE_KEY_FILE: keyFile, HOME: dir };

    say(`Writing ${FILES} sops files (a fresh data key each, wrapped for one age recipient) to ${dir}`);
    const files = await writeBenchFiles(dir, FILES, await identityToRecipient(identity));
    const identities = [{ secretKey: identity, kind: "x25519" as const, origin: "bench" }];

    const decryptAll = async (subset: BenchFile[]) => {
      for (const file of subset) {
        const decrypted = await decryptSopsFile(file.path, { env });
        if (!decrypted.secrets.includes(file.password)) throw new Error(`${file.path}: wrong plaintext`);
      }
    };
    const unwrapAll = async (subset: BenchFile[]) => {
      for (const file of subset) {
        const key = await unwrapAgeStanza(file.ageEnc, identities, { file: file.path, recipient: "bench" });
        if (!key || Buffer.compare(key, file.dataKey) !== 0) throw new Error(`${file.path}: wrong data key`);
      }
    };
    const ageProcesses = async (subset: BenchFile[]) => {
      for (const file of subset) {
        const result = await runProgram("age", ["--decrypt", "-i", keyFile], { input: file.ageEnc });
        if (result.notFound) throw new Error("the age CLI is not installed (apt-get install age)");
        // stdout is the raw 32-byte key, which the port decodes as text: age's exit code is the
        // check (age authenticates the header and the payload).
        if (result.exitCode !== 0) throw new Error(`age --decrypt failed: ${result.stderr}`);
      }
    };

    // Warm up both sides (JIT, module loading, the page cache) on a few files first.
    await decryptAll(files.slice(0, WARM_UP));
    await unwrapAll(files.slice(0, WARM_UP));
    await ageProcesses(files.slice(0, WARM_UP));

    say(`\nDecrypting ${FILES} files, one after the other:`);
    const inProcess = await timed("in-process, whole sops files (croncd)", () => decryptAll(files));
    const unwrapOnly = await timed("in-process, age data keys only", () => unwrapAll(files));
    const children = await timed("`age --decrypt` child processes, keys only", () => ageProcesses(files));

    say("");
    say(`child processes / in-process whole files: ${(children / inProcess).toFixed(1)}×`);
    say(`child processes / in-process keys only:   ${(children / unwrapOnly).toFixed(1)}×`);
    return 0;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const USAGE = `Usage: npm run bench [-- --only sops|swarm] [-- --stacks N]

  --only sops    only in-process sops decryption against one \`age\` process per file
  --only swarm   only croncd reconcile on a private Swarm (needs root, dockerd, busybox-static, git)
  --stacks N     stacks in the Swarm part (default ${DEFAULT_STACKS}; the targets are meant for ${DEFAULT_STACKS})`;

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      only: { type: "string" },
      stacks: { type: "string", default: String(DEFAULT_STACKS) },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  const stacks = Number(values.stacks);
  if (values.help) {
    say(USAGE);
    return 0;
  }
  if (
    (values.only !== undefined && values.only !== "sops" && values.only !== "swarm") ||
    !Number.isInteger(stacks) ||
    stacks < 1 ||
    stacks > 999
  ) {
    throw new Error(USAGE);
  }
  let exitCode = 0;
  if (values.only !== "swarm") {
    exitCode = await sopsBench().catch((error: unknown) => {
      console.error(error instanceof Error ? error.message : String(error));
      return 1;
    });
  }
  if (values.only !== "sops") {
    if (values.only === undefined) say("");
    const swarmExit = await swarmBench({ stacks });
    // A signal's exit code (128 + n) wins: the run was cut short.
    exitCode = Math.max(exitCode, swarmExit);
  }
  return exitCode;
}

process.exitCode = await main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  return 1;
});
