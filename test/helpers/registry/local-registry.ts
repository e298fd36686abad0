// A real image registry: Debian's `docker-registry` (distribution v2) serving from a temporary
// directory, on 127.0.0.1 for `npm run bench` (plain HTTP), or inside a network namespace of the test's
// own for the private-registry tests (TLS and htpasswd auth, see private-registry.ts). Real playbooks
// run `docker stack deploy` with the default `--resolve-image always`, which asks the registry for
// every service's image digest on every run.
//
// dockerd treats 127.0.0.0/8 as an insecure registry by default, so the private daemon can push to
// the benchmark's registry without TLS or any daemon option. Every HTTP request the registry serves
// is one line of its access log, which is how the benchmark and the tests count who talks to it.
import { spawn } from "node:child_process";
import { request as httpsRequest } from "node:https";
import type { ChildProcess } from "node:child_process";
import { createWriteStream } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { pickTcpPort } from "../swarm/ports.js";
import { findExecutable } from "../swarm/system.js";

const READY_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 5_000;
/**
 * One access-log line per request (combined log format):
 * `127.0.0.1 - - [date] "HEAD /v2/x/manifests/1 HTTP/1.1" 200 0 "referer" "user agent"`.
 */
const ACCESS_LINE = /^\S+ \S+ \S+ \[[^\]]*\] "([A-Z]+) (\S+) HTTP\/[\d.]+" \d+ \S+ "[^"]*" "([^"]*)"/;

export interface RegistryRequests {
  /** Every HTTP request served so far. */
  total: number;
  /** Requests for a manifest (`/v2/<name>/manifests/<ref>`): one per resolved image. */
  manifests: number;
  /** Every request, in order: who asked (`croncd/…`, `docker/…`) for what. */
  lines: { method: string; path: string; userAgent: string }[];
}

export interface LocalRegistryOptions {
  /** Serve HTTPS only, with this certificate; `caFile` is what the readiness probe trusts. */
  tls?: { certFile: string; keyFile: string; caFile: string };
  /** Require Basic auth against this htpasswd file (bcrypt entries). */
  htpasswdFile?: string;
  /** The address to listen on; 127.0.0.1 unless given. */
  ip?: string;
  /** Run the registry inside this network namespace (`ip netns exec`); `ip` must be one of its addresses. */
  netns?: string;
}

export interface LocalRegistry {
  /** `IP:PORT` (127.0.0.1 unless asked otherwise), the prefix of image references pushed to it. */
  address: string;
  /** `https://IP:PORT` or `http://…`. */
  url: string;
  /** Its config, storage and log. */
  dir: string;
  /** Counts the requests in its access log so far. */
  requests(): Promise<RegistryRequests>;
  /** Stops the registry (SIGTERM, then SIGKILL). Idempotent; the caller removes `dir`. */
  stop(): Promise<void>;
}

/** Starts `docker-registry serve` on a free port (of 127.0.0.1 by default); resolves once it answers `/v2/`. */
export async function startLocalRegistry(
  dir: string,
  options: LocalRegistryOptions = {},
): Promise<LocalRegistry> {
  const binary = await findExecutable("docker-registry");
  if (!binary) {
    throw new Error(
      "docker-registry not found: the benchmark and the registry tests push images to a real local registry. " +
        "Install Debian's docker-registry package (apt-get install --no-install-recommends docker-registry).",
    );
  }
  const command = options.netns ? await inNamespace(options.netns, binary) : [binary];
  await mkdir(path.join(dir, "data"), { recursive: true });
  // Free on the host; a namespace of the test's own has every port free.
  const port = await pickTcpPort(0);
  const address = `${options.ip ?? "127.0.0.1"}:${port}`;
  const url = `${options.tls ? "https" : "http"}://${address}`;
  const config = path.join(dir, "config.yml");
  const logFile = path.join(dir, "registry.log");
  await writeFile(
    config,
    [
      "# Written by test/helpers/registry/local-registry.ts.",
      "version: 0.1",
      "log:",
      "  level: warn",
      "  formatter: text",
      "  accesslog:",
      "    disabled: false",
      "storage:",
      "  filesystem:",
      `    rootdirectory: ${path.join(dir, "data")}`,
      "http:",
      `  addr: ${address}`,
      "  secret: croncd-test-not-a-secret",
      ...(options.tls
        ? ["  tls:", `    certificate: ${options.tls.certFile}`, `    key: ${options.tls.keyFile}`]
        : []),
      ...(options.htpasswdFile
        ? ["auth:", "  htpasswd:", "    realm: croncd-test", `    path: ${options.htpasswdFile}`]
        : []),
      "",
    ].join("\n"),
  );
  const log = createWriteStream(logFile);
  await new Promise<void>((resolve, reject) => {
    log.once("open", () => resolve());
    log.once("error", reject);
  });
  // Its own process group: Ctrl-C reaches the caller, which stops the registry in order. `ip netns
  // exec` replaces itself with the registry, so the child is the registry and signals reach it.
  const [program = binary, ...prefix] = command;
  const child: ChildProcess = spawn(program, [...prefix, "serve", config], {
    stdio: ["ignore", log, log],
    detached: true,
  });
  const onExit = (): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  };
  process.on("exit", onExit);

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
        child.kill("SIGTERM");
        const timer = sleep(STOP_TIMEOUT_MS).then(() => "timeout" as const);
        if ((await Promise.race([exited.then(() => "exited" as const), timer])) === "timeout") {
          child.kill("SIGKILL");
          await exited;
        }
      }
      process.off("exit", onExit);
      await new Promise<void>((resolve) => log.end(() => resolve()));
    })();
    return stopping;
  };

  const started = Date.now();
  try {
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`docker-registry exited during startup (${child.exitCode ?? child.signalCode})`);
      }
      if (await answers(url, options.tls?.caFile)) break;
      if (Date.now() - started > READY_TIMEOUT_MS) {
        throw new Error(`docker-registry did not answer on ${address} within ${READY_TIMEOUT_MS / 1000} s`);
      }
      await sleep(100);
    }
  } catch (error) {
    await stop();
    const text = await readFile(logFile, "utf8").catch(() => "");
    const why = error instanceof Error ? error.message : String(error);
    throw new Error(`${why}${text ? `:\n    ${text.trim().split("\n").slice(-10).join("\n    ")}` : ""}`, {
      cause: error,
    });
  }

  return {
    address,
    url,
    dir,
    async requests() {
      // The access-log line is written as the response completes: let the last one land.
      await sleep(200);
      const text = await readFile(logFile, "utf8");
      let total = 0;
      let manifests = 0;
      const lines: RegistryRequests["lines"] = [];
      for (const line of text.split("\n")) {
        const match = ACCESS_LINE.exec(line);
        if (!match) continue;
        total += 1;
        if (/^\/v2\/.+\/manifests\//.test(match[2] ?? "")) manifests += 1;
        lines.push({ method: match[1] ?? "", path: match[2] ?? "", userAgent: match[3] ?? "" });
      }
      return { total, manifests, lines };
    },
    stop,
  };
}

/** The command that runs `binary` inside network namespace `netns`. */
async function inNamespace(netns: string, binary: string): Promise<string[]> {
  const ip = await findExecutable("ip");
  if (!ip)
    throw new Error(
      "ip not found: the registry tests run the registry in a network namespace (apt-get install iproute2)",
    );
  return [ip, "netns", "exec", netns, binary];
}

/** True once `/v2/` answers at all (401 included: auth is on). */
async function answers(url: string, caFile: string | undefined): Promise<boolean> {
  if (!caFile) {
    return fetch(`${url}/v2/`).then(
      (response) => response.status < 500,
      () => false,
    );
  }
  const ca = await readFile(caFile);
  return new Promise((resolve) => {
    const request = httpsRequest(`${url}/v2/`, { ca }, (response) => {
      response.resume();
      resolve((response.statusCode ?? 500) < 500);
    });
    request.once("error", () => resolve(false));
    request.end();
  });
}
