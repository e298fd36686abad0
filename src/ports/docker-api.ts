/**
 * Talks to the Docker Engine API through `docker system dial-stdio`: the docker CLI opens the
 * connection to the daemon — DOCKER_HOST, the context, TLS and ssh:// all handled as for any other
 * docker command — and croncd speaks HTTP over the CLI's stdin and stdout.
 *
 * POSTs create Swarm secrets and configs from memory: their decrypted content travels only through
 * the pipe to the CLI and the CLI's connection, never through a file.
 *
 * Why not `docker service ls` + `docker service inspect`: the CLI inspects services one API call at
 * a time, so reading 300 services took ~350 ms; `GET /services` returns all of them in one answer
 * (~30 ms), the same JSON objects `docker service inspect` prints.
 */
import http from "node:http";
import { Duplex } from "node:stream";
import { TargetError } from "../errors.js";
import { startProgram, type StopReason } from "./exec.js";

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
  /** Set when croncd stopped the CLI (a timeout: the daemon never answered). */
  stoppedBecause?: StopReason;
}

/** One Engine API request: the method, an unversioned path (the daemon's own API version), a JSON body. */
export interface ApiRequest {
  method: "GET" | "POST" | "DELETE";
  path: string;
  /** Sent as JSON. */
  body?: unknown;
}

/** An answer of the daemon, whatever its status: callers that expect a refusal (409) read it here. */
export interface ApiAnswer {
  status: number;
  /** The parsed JSON body; undefined when the body was empty. */
  json: unknown;
  /** The daemon's own words for a refusal (`{"message": ...}`), else the raw body. */
  message: string;
}

/**
 * GETs one unversioned API path and parses the JSON answer. Throws ApiRequestError, which callers
 * map to their messages.
 */
export async function getJson(
  endpoint: ApiEndpoint,
  apiPath: string,
  signal?: AbortSignal,
): Promise<unknown> {
  const answer = await sendRequest(endpoint, { method: "GET", path: apiPath }, signal);
  if (answer.status < 200 || answer.status > 299) {
    throw new ApiRequestError({ status: answer.status, message: answer.message, notFound: false });
  }
  return answer.json;
}

/**
 * Sends one request and returns the daemon's answer, any status. Throws ApiRequestError only when
 * no answer came (the CLI could not connect, or was stopped), and TargetError for a body that is
 * not JSON.
 */
export async function sendRequest(
  endpoint: ApiEndpoint,
  apiRequest: ApiRequest,
  signal?: AbortSignal,
): Promise<ApiAnswer> {
  const program = startProgram("docker", [...endpoint.globalArgs, "system", "dial-stdio"], {
    env: endpoint.env,
    timeoutMs: endpoint.timeoutMs,
    label: "system dial-stdio",
    ...(signal ? { signal } : {}),
  });
  const socket = pipesAsSocket(program.stdin, program.stdout);
  try {
    const { status, body } = await request(socket, apiRequest);
    const succeeded = status >= 200 && status <= 299;
    return {
      status,
      json: succeeded ? parseJson(body, apiRequest) : undefined,
      message: daemonMessage(body, status),
    };
  } catch (error) {
    if (error instanceof TargetError) throw error;
    // No answer: the CLI could not reach the daemon (and said why on stderr), or was stopped.
    program.stop();
    const exited = await program.exited;
    throw new ApiRequestError({
      status: undefined,
      message: exited.stderr.trim() || (error instanceof Error ? error.message : String(error)),
      notFound: exited.notFound,
      ...(exited.stoppedBecause ? { stoppedBecause: exited.stoppedBecause } : {}),
    });
  } finally {
    program.stop();
  }
}

function parseJson(body: string, apiRequest: ApiRequest): unknown {
  if (body.trim() === "") return undefined;
  try {
    return JSON.parse(body) as unknown;
  } catch (error) {
    throw new TargetError(
      `the Docker API answered ${apiRequest.method} ${apiRequest.path} with something that is not JSON`,
      { cause: error },
    );
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

function request(socket: Duplex, apiRequest: ApiRequest): Promise<{ status: number; body: string }> {
  const body = apiRequest.body === undefined ? undefined : Buffer.from(JSON.stringify(apiRequest.body));
  return new Promise((resolve, reject) => {
    const outgoing = http.request({
      method: apiRequest.method,
      path: apiRequest.path,
      // The daemon ignores the host; HTTP/1.1 needs one.
      headers: {
        Host: "docker",
        Accept: "application/json",
        ...(body ? { "Content-Type": "application/json", "Content-Length": body.length } : {}),
      },
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
    outgoing.end(body);
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
