// `npm run example`: the README's quick start. Starts a private, throw-away Docker Swarm (the
// machine's own Docker daemon is never contacted), lets the real croncd CLI deploy
// examples/swarm-basic from this repository's committed state into it, shows what was deployed and
// tears everything down again. Bundled to dist/run-example.mjs by scripts/build.mjs.
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { constants } from "node:os";
import { dirname, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { execa } from "execa";
import type { ResultPromise } from "execa";
import { startPrivateSwarm, stopKeptSwarm } from "../test/helpers/swarm/index.js";
import type { PrivateSwarm } from "../test/helpers/swarm/index.js";

const USAGE = `Usage: npm run example [-- --keep | --stop DIR]

Deploys examples/swarm-basic with croncd into a private Docker Swarm started for the purpose,
then removes that Swarm again. Needs root, dockerd (docker.io), busybox-static and git.

  --keep       leave the Swarm running at the end (also after a failed step; Ctrl-C still removes
               it) and print how to use and stop it
  --stop DIR   stop a Swarm kept by --keep and remove everything it created
  -h, --help   this text`;

// Both the source (scripts/) and the bundle (dist/) sit one level below the repository root.
const REPO_ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const EXAMPLE_IMAGE = "croncd-example/busybox:1";
const CONFIG = "examples/swarm-basic/croncd.yaml";
const CONVERGE_TIMEOUT_MS = 60_000;

const say = (line: string): void => console.log(line);
const heading = (line: string): void => console.log(`\n==> ${line}`);

let interrupted: NodeJS.Signals | undefined;
let signals = 0;
let current: ResultPromise | undefined;

async function main(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        keep: { type: "boolean", default: false },
        stop: { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
    }));
  } catch (error) {
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`, {
      cause: error,
    });
  }
  if (values.help) {
    say(USAGE);
    return 0;
  }
  if (values.stop !== undefined) {
    if (values.keep) throw new Error("--keep and --stop do not go together");
    await stopKeptSwarm(values.stop, { log: (line) => say(`[swarm] ${line}`) });
    say(`Stopped the private Swarm and removed ${values.stop}.`);
    return 0;
  }
  if (!existsSync(join(REPO_ROOT, "dist/croncd.mjs"))) {
    throw new Error("dist/croncd.mjs is missing: run `npm run build` (npm run example does).");
  }

  const startedAt = performance.now();
  heading("starting a private Docker Swarm (the machine's own Docker daemon is not used)");
  // Detached: Ctrl-C reaches this process and croncd, not dockerd, so the teardown below runs in order.
  const swarm = await startPrivateSwarm({
    log: (line) => say(`[swarm] ${line}`),
    images: [EXAMPLE_IMAGE],
    detached: true,
  });
  say(`ready in ${seconds(startedAt)} s: DOCKER_HOST=${swarm.host}, image ${EXAMPLE_IMAGE} built locally`);
  let failed = false;
  try {
    // In the daemon's directory: the report lives exactly as long as the Swarm it describes.
    await deployExample(swarm, join(swarm.dir, "report.json"));
  } catch (error) {
    failed = true;
    throw error;
  } finally {
    if (values.keep && !interrupted) {
      await swarm.keep();
      printKeepInstructions(swarm, failed);
    } else {
      heading("removing the private Swarm");
      const stopStartedAt = performance.now();
      await swarm.stop();
      say(`removed in ${seconds(stopStartedAt)} s (total ${seconds(startedAt)} s)`);
    }
  }
  return 0;
}

async function deployExample(swarm: PrivateSwarm, reportFile: string): Promise<void> {
  const env = { ...swarm.env, EXAMPLE_IMAGE };
  await croncd(env, ["validate", "--config", CONFIG]);
  await croncd(env, ["reconcile", "--config", CONFIG, "--report", reportFile]);
  const report = JSON.parse(await readFile(reportFile, "utf8")) as {
    entries: { name: string; action: string }[];
  };
  say(`report: ${report.entries.map((entry) => `${entry.name} ${entry.action}`).join(", ")}`);
  // Right after a reconcile, a plan must find nothing to do (exit 0; 2 would mean pending changes).
  await croncd(env, ["plan", "--config", CONFIG]);

  // croncd does not wait for tasks (docker stack deploy --detach); give them a moment so the listing
  // shows running replicas rather than 0/2.
  heading("waiting for the services' tasks to start");
  const deadline = Date.now() + CONVERGE_TIMEOUT_MS;
  for (;;) {
    checkInterrupted();
    const { stdout } = await execa("docker", ["service", "ls", "--format", "{{.Replicas}}"], { env });
    const pending = stdout.split("\n").filter((line) => !/^(\d+)\/\1\b/.test(line.trim()));
    if (pending.length === 0) break;
    if (Date.now() > deadline) {
      say(`still starting after ${CONVERGE_TIMEOUT_MS / 1000} s; showing them as they are`);
      break;
    }
    await sleep(500);
  }
  for (const args of [
    ["stack", "ls"],
    ["service", "ls"],
  ]) {
    heading(`docker ${args.join(" ")}`);
    await execa("docker", args, { env, stdio: ["ignore", "inherit", "inherit"] });
  }
}

/** Runs the real CLI (bin/croncd.js → dist/croncd.mjs) with its output on the terminal; exit 0 expected. */
async function croncd(env: Record<string, string | undefined>, args: string[]): Promise<void> {
  checkInterrupted();
  heading(`croncd ${args.join(" ")}`);
  current = execa(process.execPath, ["bin/croncd.js", ...args], {
    cwd: REPO_ROOT,
    env,
    stdio: ["ignore", "inherit", "inherit"],
    reject: false,
  });
  const result = await current;
  current = undefined;
  // A terminal's Ctrl-C reaches croncd and this process at once, and croncd's exit (130 after SIGINT,
  // 143 after SIGTERM) may be noticed before our own signal handler has run.
  if (result.signal === "SIGINT" || result.exitCode === 130) interrupted ??= "SIGINT";
  if (result.signal === "SIGTERM" || result.exitCode === 143) interrupted ??= "SIGTERM";
  checkInterrupted();
  if (result.exitCode !== 0) {
    const detail =
      args[0] === "plan" && result.exitCode === 2 ? "changes pending right after reconcile" : "failed";
    throw new Error(`croncd ${args[0]} ${detail} (exit ${result.exitCode ?? result.signal ?? "?"})`);
  }
}

function checkInterrupted(): void {
  if (interrupted) throw new Error(`interrupted (${interrupted})`);
}

function printKeepInstructions(swarm: PrivateSwarm, failed: boolean): void {
  heading(`the private Swarm keeps running${failed ? " (kept for a look at what failed)" : ""}`);
  say(`Use it from a shell:\n\n  export DOCKER_HOST=${swarm.host}\n  docker service ls\n`);
  say(`croncd's JSON report of the reconcile: ${join(swarm.dir, "report.json")}`);
  say(`dockerd's log: ${join(swarm.dir, "dockerd.log")}`);
  say(`Stop it and remove everything it created (run in ${REPO_ROOT}):\n`);
  say(`  npm run example -- --stop ${swarm.dir}\n`);
  say(`(kill $(cat ${swarm.dir}/docker.pid) stops it too; the next run removes what is left.)`);
}

// The first signal stops the current step and tears the Swarm down; croncd, in our process group,
// gets a terminal's Ctrl-C itself, a signal sent to us alone is passed on.
function onSignal(signal: NodeJS.Signals): void {
  signals += 1;
  if (signals === 1) {
    interrupted = signal;
    say(`\n${signal}: stopping, then removing the private Swarm`);
    current?.kill("SIGTERM");
  } else if (signals === 2) {
    say("still removing the private Swarm; once more to abandon it (the next run cleans up)");
  } else {
    process.exit(128 + constants.signals[signal]);
  }
}
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, onSignal);

function seconds(since: number): string {
  return ((performance.now() - since) / 1000).toFixed(1);
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  let message = error instanceof Error ? error.message : String(error);
  // After a signal, whatever failed did so because of it (a docker call or croncd being stopped).
  if (interrupted) message = `interrupted (${interrupted})`;
  console.error(`\nnpm run example: ${message}`);
  // As a shell reports death by a signal: 128 + its number.
  process.exitCode = interrupted ? 128 + constants.signals[interrupted] : 1;
}
// Nothing may keep the process alive now (a kept dockerd is detached and unref'ed).
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.off(signal, onSignal);
