/**
 * Reads from the Docker Engine API through `docker system dial-stdio`: the docker CLI opens the
 * connection to the daemon — DOCKER_HOST, the context, TLS and ssh:// all handled as for any other
 * docker command — and croncd speaks HTTP over the CLI's stdin and stdout.
 *
 * Why not `docker service ls` + `docker service inspect`: the CLI inspects services one API call at
 * a time, so reading 300 services took ~350 ms; `GET /services` returns all of them in one answer
 * (~30 ms), the same JSON objects `docker service inspect` prints.
 */
import http from "node:http";
import { Duplex } from "node:stream";
import { TargetError } from "../errors.js";
import { startProgram } from "./exec.js";

export interface ApiEndpoint {
  /** Global docker options (`--context X`) and environment (DOCKER_HOST) of the target. */
  globalArgs: readonly string[];
  env: Record<string, string>;
  timeoutMs: number;
}

/** What a failed request turns into: the CLI's own words when the connection failed. */
export interface ApiFailure {
  /** HTTP status, or undefined when no answer came (the CLI could not connect, or was stopped). */
  status: number | undefined;
  message: string;
  notFound: boolean;
}

/**
 * GETs one unversioned API path (the daemon's own API version) and parses the JSON answer. Throws
 * ApiRequestError, which callers map to their messages.
 */
export async function getJson(
  endpoint: ApiEndpoint,
  apiPath: string,
  signal?: AbortSignal,
): Promise<unknown> {
  const program = startProgram("docker", [...endpoint.globalArgs, "system", "dial-stdio"], {
    env: endpoint.env,
    timeoutMs: endpoint.timeoutMs,
    label: "system dial-stdio",
    ...(signal ? { signal } : {}),
  });
  const socket = pipesAsSocket(program.stdin, program.stdout);
  try {
    const { status, body } = await request(socket, apiPath);
    if (status < 200 || status > 299) {
      throw new ApiRequestError({ status, message: daemonMessage(body, status), notFound: false });
    }
    try {
      return JSON.parse(body) as unknown;
    } catch (error) {
      throw new TargetError(`the Docker API answered GET ${apiPath} with something that is not JSON`, {
        cause: error,
      });
    }
  } catch (error) {
    if (error instanceof ApiRequestError || error instanceof TargetError) throw error;
    // No answer: the CLI could not reach the daemon (and said why on stderr), or was stopped.
    program.stop();
    const exited = await program.exited;
    throw new ApiRequestError({
      status: undefined,
      message: exited.stderr.trim() || (error instanceof Error ? error.message : String(error)),
      notFound: exited.notFound,
    });
  } finally {
    program.stop();
  }
}

export class ApiRequestError extends Error {
  constructor(readonly failure: ApiFailure) {
    super(failure.message);
    this.name = "ApiRequestError";
  }
}

/**
 * The child's pipes as the socket node's HTTP client reads and writes. Not `Duplex.from`: that one
 * fails with "Premature close" when the CLI exits (the daemon closed the connection after its
 * answer) before croncd ended the CLI's stdin, a race lost now and then on a busy machine.
 */
function pipesAsSocket(stdin: NodeJS.WritableStream, stdout: NodeJS.ReadableStream): Duplex {
  // Writing to a CLI that already exited fails with EPIPE; the missing answer is what gets reported.
  stdin.on("error", () => undefined);
  const socket = new Duplex({
    read() {
      stdout.resume();
    },
    write(chunk: Buffer, _encoding, callback) {
      stdin.write(chunk, () => callback());
    },
    final(callback) {
      stdin.end();
      callback();
    },
  });
  stdout.on("data", (chunk: Buffer) => {
    if (!socket.push(chunk)) stdout.pause();
  });
  stdout.on("end", () => socket.push(null));
  stdout.on("error", (error: Error) => socket.destroy(error));
  return socket;
}

function request(socket: Duplex, apiPath: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = http.request({
      method: "GET",
      path: apiPath,
      // The daemon ignores the host; HTTP/1.1 needs one.
      headers: { Host: "docker", Accept: "application/json" },
      createConnection: () => socket,
    });
    outgoing.on("error", reject);
    outgoing.on("response", (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("error", reject);
      response.on("end", () =>
        resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }),
      );
    });
    outgoing.end();
  });
}

/** The daemon answers errors as `{"message": "..."}`. */
function daemonMessage(body: string, status: number): string {
  try {
    const parsed = JSON.parse(body) as { message?: unknown };
    if (typeof parsed.message === "string" && parsed.message.trim() !== "") return parsed.message.trim();
  } catch {
    // Not JSON: fall through to the raw text.
  }
  return body.trim() || `HTTP ${status}`;
}
