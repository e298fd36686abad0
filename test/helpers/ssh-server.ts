// A real SSH git server for tests: Debian's OpenSSH `sshd` (package openssh-server) on 127.0.0.1, run in
// the foreground with its own config, a fresh host key and one fresh client key allowed in. git runs
// `git-upload-pack '<path>'` over it exactly as against GitLab or GitHub, so croncd's GIT_SSH_COMMAND
// (deploy key, known_hosts, BatchMode) is exercised end to end.
//
// The server logs in the user running the tests (root in CI: `PermitRootLogin prohibit-password`, so
// by key only). Its lifetime is tied to the test process three ways: stop() (call it in afterAll), an
// exit hook, and the kernel's parent-death signal (`setpriv --pdeathsig KILL`), which also covers a
// worker that is SIGKILLed or crashes without running any JavaScript.
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { constants as fsConstants } from "node:fs";
import {
  access,
  chmod,
  mkdir,
  mkdtemp,
  open,
  readdir,
  readFile,
  rm,
  stat,
  writeFile,
} from "node:fs/promises";
import { createConnection, createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { tmpdir, userInfo } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { execa } from "execa";

export interface SshGitServerOptions {
  /** Directory holding the repositories; `url()` resolves relative paths against it. */
  root: string;
}

export interface SshGitServer {
  port: number;
  /** The account git logs in as: the user running the tests (root in CI). */
  user: string;
  /** `ssh://user@127.0.0.1:port/<absolute path>` of a repository (path relative to `root`, or absolute inside it). */
  url(repoPath: string): string;
  /** Private key (ed25519, no passphrase, mode 0600) that the server accepts. */
  clientKeyFile: string;
  /** known_hosts file with the server's host key for `[127.0.0.1]:port`, and nothing else. */
  knownHostsFile: string;
  /** The server's host public key as `<type> <base64>`, without a comment. */
  hostPublicKey: string;
  /** sshd's own log (`-e`, LogLevel VERBOSE): accepted/refused keys, errors. */
  logFile: string;
  /** The whole log so far. */
  readLog(): Promise<string>;
  /** The last lines of the log, for assertion messages. */
  logTail(lines?: number): Promise<string>;
  /** Stops sshd (SIGTERM, then SIGKILL, whole process group) and removes its directory. Idempotent. */
  stop(): Promise<void>;
}

const SSHD = "/usr/sbin/sshd";
const HOST = "127.0.0.1";
/** Compiled into Debian's sshd: its privilege-separation chroot; must exist when sshd starts as root. */
const PRIVSEP_DIR = "/run/sshd";
const READY_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 5_000;
const START_ATTEMPTS = 3;
const DIR_PREFIX = "croncd-sshd-";

/** Generates an ed25519 key pair without passphrase at `file` / `file.pub`; resolves to the public key line. */
export async function generateSshKey(file: string, comment = "croncd-test"): Promise<string> {
  await execa("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", file], {
    stdin: "ignore",
    timeout: 30_000,
  });
  return (await readFile(`${file}.pub`, "utf8")).trim();
}

/** The SHA256 fingerprint (`SHA256:...`) of a key file, as sshd logs it. */
export async function sshKeyFingerprint(file: string): Promise<string> {
  const { stdout } = await execa("ssh-keygen", ["-l", "-E", "sha256", "-f", file], {
    stdin: "ignore",
    timeout: 30_000,
  });
  const fingerprint = stdout.split(/\s+/)[1];
  if (!fingerprint?.startsWith("SHA256:")) throw new Error(`unexpected ssh-keygen -l output: ${stdout}`);
  return fingerprint;
}

/** `<type> <base64>` of a public key line (drops the comment). */
export function publicKeyBody(line: string): string {
  const [type, key] = line.trim().split(/\s+/);
  if (!type || !key) throw new Error(`not an OpenSSH public key line: ${line}`);
  return `${type} ${key}`;
}

/** A known_hosts line for a server on 127.0.0.1 at `port` (the `[host]:port` form ssh uses for non-22 ports). */
export function knownHostsLine(port: number, publicKey: string): string {
  return `[${HOST}]:${port} ${publicKeyBody(publicKey)}\n`;
}

export async function startSshGitServer(options: SshGitServerOptions): Promise<SshGitServer> {
  const root = path.resolve(options.root);
  const user = userInfo().username;
  const isRoot = process.getuid?.() === 0;
  await checkPrerequisites(isRoot);
  await reapStaleDirs();

  const dir = await mkdtemp(path.join(tmpdir(), DIR_PREFIX));
  try {
    await writeFile(path.join(dir, "owner.pid"), `${process.pid}\n`);
    const hostKeyFile = path.join(dir, "ssh_host_ed25519_key");
    const clientKeyFile = path.join(dir, "client_ed25519");
    const [hostPublicKeyLine, clientPublicKey] = await Promise.all([
      generateSshKey(hostKeyFile, "croncd-test-host"),
      generateSshKey(clientKeyFile, "croncd-test-client"),
    ]);
    const hostPublicKey = publicKeyBody(hostPublicKeyLine);
    const authorizedKeys = path.join(dir, "authorized_keys");
    // `restrict`: no pty, no forwarding, no ~/.ssh/rc; running git-upload-pack is all the key may do.
    await writeFile(authorizedKeys, `restrict ${clientPublicKey}\n`, { mode: 0o600 });
    const logFile = path.join(dir, "sshd.log");
    const knownHostsFile = path.join(dir, "known_hosts");

    let started: { child: ChildProcess; exited: Promise<void>; port: number } | undefined;
    let lastFailure = "";
    for (let attempt = 1; attempt <= START_ATTEMPTS && !started; attempt++) {
      const port = await freePort();
      const configFile = path.join(dir, "sshd_config");
      await writeFile(
        configFile,
        sshdConfig({ dir, port, user, hostKeyFile, authorizedKeys, usePam: await rootIsLocked(isRoot) }),
      );
      // Config and host key errors show up here at once, with sshd's own words.
      const check = await execa(SSHD, ["-t", "-f", configFile], { reject: false, timeout: 30_000 });
      if (check.exitCode !== 0) {
        throw new Error(`sshd -t rejected the test configuration: ${check.stderr.trim() || check.stdout}`);
      }
      const launched = await launch(configFile, logFile);
      const ready = await waitUntilReady(launched.child, port);
      if (ready === true) {
        started = { ...launched, port };
        break;
      }
      lastFailure = ready;
      await killGroup(launched.child, launched.exited);
      // Another process took the port between freePort() and sshd's bind: try another one.
      if (!/Address already in use/i.test(await tail(logFile))) break;
    }
    if (!started) {
      throw new Error(`sshd did not start: ${lastFailure}\n--- ${logFile}:\n${await tail(logFile)}`);
    }

    const { child, exited, port } = started;
    const onExit = (): void => {
      if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
        try {
          process.kill(-child.pid, "SIGKILL");
        } catch {
          // already gone
        }
      }
    };
    process.on("exit", onExit);
    await writeFile(knownHostsFile, knownHostsLine(port, hostPublicKey));

    let stopped: Promise<void> | undefined;
    const stop = (): Promise<void> => {
      stopped ??= (async () => {
        process.off("exit", onExit);
        await killGroup(child, exited);
        await rm(dir, { recursive: true, force: true });
      })();
      return stopped;
    };

    try {
      await probeLogin({ port, user, clientKeyFile, knownHostsFile, logFile });
    } catch (error) {
      await stop();
      throw error;
    }

    return {
      port,
      user,
      url: (repoPath) => repositoryUrl(root, user, port, repoPath),
      clientKeyFile,
      knownHostsFile,
      hostPublicKey,
      logFile,
      readLog: () => readFile(logFile, "utf8"),
      logTail: (lines) => tail(logFile, lines),
      stop,
    };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

/**
 * A worker killed outright cannot remove its directory (its sshd is gone: pdeathsig). Removes the
 * directories whose owner and sshd are both dead; a concurrent run's directory is left alone.
 */
async function reapStaleDirs(): Promise<void> {
  const entries = await readdir(tmpdir()).catch(() => [] as string[]);
  for (const entry of entries) {
    if (!entry.startsWith(DIR_PREFIX)) continue;
    const dir = path.join(tmpdir(), entry);
    const owner = await readPid(path.join(dir, "owner.pid"));
    // No owner yet: maybe a concurrent start between mkdtemp and writing owner.pid.
    if (owner === undefined || isAlive(owner)) continue;
    const sshd = await readPid(path.join(dir, "sshd.pid"));
    if (sshd !== undefined && isAlive(sshd)) continue;
    await rm(dir, { recursive: true, force: true });
  }
}

async function readPid(file: string): Promise<number | undefined> {
  const pid = Number.parseInt(await readFile(file, "utf8").catch(() => ""), 10);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

async function checkPrerequisites(isRoot: boolean): Promise<void> {
  for (const program of [SSHD, "/usr/bin/ssh", "/usr/bin/ssh-keygen"]) {
    try {
      await access(program, fsConstants.X_OK);
    } catch {
      throw new Error(
        `${program} not found: install Debian's openssh-server and openssh-client (apt-get install openssh-server openssh-client)`,
      );
    }
  }
  if (!isRoot) return;
  // sshd started as root chroots its pre-auth child into /run/sshd and refuses to start without it.
  // Debian's ssh.service creates it (RuntimeDirectory=sshd); no service runs here, so we do, with the
  // same ownership and mode. It is left in place: it is shared with any system sshd and holds nothing.
  await mkdir(PRIVSEP_DIR, { recursive: true, mode: 0o755 });
  const info = await stat(PRIVSEP_DIR);
  if (!info.isDirectory() || info.uid !== 0)
    throw new Error(`${PRIVSEP_DIR} must be a directory owned by root`);
  if ((info.mode & 0o022) !== 0) await chmod(PRIVSEP_DIR, 0o755);
}

/**
 * With `UsePAM no`, sshd refuses every login, key or not, to an account whose shadow password starts
 * with `!` ("account is locked"); root is locked that way on some installs. PAM's account check does
 * not look at that marker, so for such a root we let PAM (Debian's /etc/pam.d/sshd) do the account and
 * session handling instead. Where root is `*` (Debian cloud and container images) PAM stays off.
 */
async function rootIsLocked(isRoot: boolean): Promise<boolean> {
  if (!isRoot) return false;
  const shadow = await readFile("/etc/shadow", "utf8").catch(() => "");
  const entry = shadow.split("\n").find((line) => line.startsWith("root:"));
  return entry?.split(":")[1]?.startsWith("!") ?? false;
}

function sshdConfig(options: {
  dir: string;
  port: number;
  user: string;
  hostKeyFile: string;
  authorizedKeys: string;
  usePam: boolean;
}): string {
  return [
    "# croncd test sshd (test/helpers/ssh-server.ts): one user, one key, loopback only.",
    `ListenAddress ${HOST}:${options.port}`,
    "AddressFamily inet",
    `HostKey ${options.hostKeyFile}`,
    `PidFile ${path.join(options.dir, "sshd.pid")}`,
    `AuthorizedKeysFile ${options.authorizedKeys}`,
    `AllowUsers ${options.user}`,
    "AuthenticationMethods publickey",
    "PubkeyAuthentication yes",
    "PasswordAuthentication no",
    "KbdInteractiveAuthentication no",
    "HostbasedAuthentication no",
    "PermitEmptyPasswords no",
    "PermitRootLogin prohibit-password",
    `UsePAM ${options.usePam ? "yes" : "no"}`,
    // The key files live in a mkdtemp directory under /tmp, which StrictModes would reject.
    "StrictModes no",
    "PermitUserEnvironment no",
    "DisableForwarding yes",
    "PermitTTY no",
    "PrintMotd no",
    "PrintLastLog no",
    "UseDNS no",
    "LoginGraceTime 30",
    "LogLevel VERBOSE",
    "",
  ].join("\n");
}

/** sshd in the foreground (-D), logging to `logFile` (-e), in its own process group, killed when we die. */
async function launch(
  configFile: string,
  logFile: string,
): Promise<{ child: ChildProcess; exited: Promise<void> }> {
  // PR_SET_PDEATHSIG survives the exec into sshd (not set-uid): if this worker dies, even by SIGKILL,
  // the kernel kills sshd. util-linux (setpriv) is Essential on Debian; without it we rely on the hooks.
  const setpriv = await executable("/usr/bin/setpriv");
  const [command, args] = setpriv
    ? [setpriv, ["--pdeathsig", "KILL", "--", SSHD, "-D", "-e", "-f", configFile]]
    : [SSHD, ["-D", "-e", "-f", configFile]];
  const log = await open(logFile, "a");
  let child: ChildProcess;
  try {
    child = spawn(command, args, {
      stdio: ["ignore", log.fd, log.fd],
      // sshd sets up the session environment itself; it needs nothing from ours.
      env: { PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", LANG: "C" },
      detached: true,
    });
  } finally {
    await log.close();
  }
  const exited = new Promise<void>((resolve) => {
    child.once("exit", () => resolve());
    child.once("error", () => resolve());
  });
  // A forgotten server must not keep the worker alive; the exit hook and pdeathsig end it then.
  child.unref();
  return { child, exited };
}

/** true once sshd answers with its banner on the port; otherwise why not. Bounded by READY_TIMEOUT_MS. */
async function waitUntilReady(child: ChildProcess, port: number): Promise<true | string> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let last: string;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      return `sshd exited during startup (${child.exitCode ?? child.signalCode})`;
    }
    try {
      const banner = await readBanner(port);
      // Someone else's server that grabbed the port would not be ours: check we are still alive too.
      if (banner.startsWith("SSH-2.0-OpenSSH") && child.exitCode === null) return true;
      last = `unexpected banner ${JSON.stringify(banner)}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    if (Date.now() > deadline)
      return `no SSH banner on ${HOST}:${port} within ${READY_TIMEOUT_MS / 1000} s (${last})`;
    await sleep(50);
  }
}

function readBanner(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: HOST, port });
    let data = "";
    const timer = setTimeout(() => socket.destroy(new Error("timed out waiting for the banner")), 2_000);
    socket.setEncoding("latin1");
    socket.on("data", (chunk: string) => {
      data += chunk;
      const end = data.indexOf("\n");
      if (end !== -1) {
        clearTimeout(timer);
        socket.destroy();
        resolve(data.slice(0, end).trim());
      }
    });
    socket.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.once("close", () => {
      clearTimeout(timer);
      reject(new Error("connection closed before the banner"));
    });
  });
}

/**
 * One real login with the client key and the known_hosts file, so a broken setup (root refused, key
 * not accepted, git missing on the server side) fails here with sshd's log instead of deep inside croncd.
 */
async function probeLogin(options: {
  port: number;
  user: string;
  clientKeyFile: string;
  knownHostsFile: string;
  logFile: string;
}): Promise<void> {
  const result = await execa(
    "ssh",
    [
      // Neither the machine's nor the user's ssh config; nothing is written to ~/.ssh (strict checking).
      "-F",
      "none",
      "-i",
      options.clientKeyFile,
      "-o",
      "IdentitiesOnly=yes",
      "-o",
      "BatchMode=yes",
      "-o",
      `UserKnownHostsFile=${options.knownHostsFile}`,
      "-o",
      "GlobalKnownHostsFile=/dev/null",
      "-o",
      "StrictHostKeyChecking=yes",
      "-o",
      "ConnectTimeout=10",
      "-p",
      String(options.port),
      `${options.user}@${HOST}`,
      "command -v git-upload-pack",
    ],
    { reject: false, timeout: 30_000, stdin: "ignore" },
  );
  if (result.exitCode === 0 && result.stdout.trim() !== "") return;
  const hint = /not allowed because account is locked/i.test(await tail(options.logFile))
    ? ` (the ${options.user} account is locked; see rootIsLocked in test/helpers/ssh-server.ts)`
    : "";
  throw new Error(
    `test sshd is up but a key login as ${options.user} failed${hint}: exit ${result.exitCode ?? "?"}: ` +
      `${result.stderr.trim()}\n--- ${options.logFile}:\n${await tail(options.logFile)}`,
  );
}

async function killGroup(child: ChildProcess, exited: Promise<void>): Promise<void> {
  const pid = child.pid;
  if (pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  // Unref'ed at start: keep the loop alive until it is really gone.
  child.ref();
  const signal = (name: NodeJS.Signals): void => {
    try {
      // The whole group: sshd and any per-connection child it forked.
      process.kill(-pid, name);
    } catch {
      // already gone
    }
  };
  signal("SIGTERM");
  if (await settlesWithin(exited, STOP_TIMEOUT_MS)) {
    signal("SIGKILL"); // leftover per-connection children, if any
    return;
  }
  signal("SIGKILL");
  await settlesWithin(exited, STOP_TIMEOUT_MS);
}

async function settlesWithin(promise: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, HOST, () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function repositoryUrl(root: string, user: string, port: number, repoPath: string): string {
  const absolute = path.resolve(root, repoPath);
  const rel = path.relative(root, absolute);
  if (rel.startsWith("..") || path.isAbsolute(rel)) throw new Error(`${repoPath} is not inside ${root}`);
  // git does not percent-decode ssh:// paths: refuse what would need escaping instead of guessing.
  if (!/^[A-Za-z0-9._/+-]+$/.test(absolute)) throw new Error(`unsupported characters in ${absolute}`);
  return `ssh://${user}@${HOST}:${port}${absolute}`;
}

async function executable(file: string): Promise<string | undefined> {
  try {
    await access(file, fsConstants.X_OK);
    return file;
  } catch {
    return undefined;
  }
}

async function tail(file: string, lines = 40): Promise<string> {
  const text = await readFile(file, "utf8").catch(() => `(no ${file})`);
  return text.trimEnd().split("\n").slice(-lines).join("\n");
}
