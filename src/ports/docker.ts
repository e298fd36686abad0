/**
 * The docker port: runs the docker CLI against one target's daemon. A target's `docker.host`
 * becomes DOCKER_HOST and `docker.context` becomes `--context`; with neither, the CLI's own
 * defaults (DOCKER_HOST, the current context) apply, as for a person at a shell.
 */
import { TargetError } from "../errors.js";
import { ApiRequestError, getJson, sendRequest, type ApiAnswer, type ApiRequest } from "./docker-api.js";
import { runProgram, type ExecResult } from "./exec.js";

/**
 * No single docker call should take longer (a deploy resolving images included): past this, an
 * unreachable ssh:// host or a wedged daemon fails the run instead of the CI job's time limit.
 */
export const DOCKER_CALL_TIMEOUT_MS = 10 * 60_000;

export interface DockerEndpoint {
  host?: string;
  context?: string;
}

export interface DockerCallOptions {
  input?: string;
  cwd?: string;
  /** Names what is being done, for error messages: `stack web: deploy`. */
  subject?: string;
}

export interface ApiCallOptions extends Pick<DockerCallOptions, "subject"> {
  /** Abandons the request (the answer is no longer wanted): the CLI is stopped. */
  signal?: AbortSignal;
}

export interface DockerCli {
  /** Runs docker; throws TargetError with docker's own message on a non-zero exit. */
  run(args: readonly string[], options?: DockerCallOptions): Promise<string>;
  /** Runs docker and returns the raw result, for callers that interpret failures themselves. */
  tryRun(args: readonly string[], options?: DockerCallOptions): Promise<ExecResult>;
  /**
   * GETs an Engine API path (`/services`) through `docker system dial-stdio` and parses the JSON;
   * throws TargetError with the daemon's or the CLI's own message.
   */
  getJson(apiPath: string, options?: ApiCallOptions): Promise<unknown>;
  /**
   * Sends an Engine API request and returns the daemon's answer, any status (a 409 is the caller's
   * to read); throws TargetError only when no answer came.
   */
  tryRequest(apiRequest: ApiRequest, options?: ApiCallOptions): Promise<ApiAnswer>;
}

export function createDockerCli(endpoint: DockerEndpoint = {}): DockerCli {
  const prefix = endpoint.context ? ["--context", endpoint.context] : [];
  const env: Record<string, string> = endpoint.host ? { DOCKER_HOST: endpoint.host } : {};
  const tryRun = (args: readonly string[], options: DockerCallOptions = {}) =>
    runProgram("docker", [...prefix, ...args], {
      env,
      timeoutMs: DOCKER_CALL_TIMEOUT_MS,
      ...(options.input !== undefined ? { input: options.input } : {}),
      ...(options.cwd ? { cwd: options.cwd } : {}),
    });
  const apiEndpoint = { globalArgs: prefix, env, timeoutMs: DOCKER_CALL_TIMEOUT_MS };
  const apiFailure = (error: unknown, subject: string) => {
    if (!(error instanceof ApiRequestError)) return error;
    const { message, notFound, status } = error.failure;
    return dockerFailure({ exitCode: status ?? -1, stdout: "", stderr: message, notFound }, subject);
  };
  return {
    tryRun,
    async getJson(apiPath, options = {}) {
      try {
        return await getJson(apiEndpoint, apiPath, options.signal);
      } catch (error) {
        throw apiFailure(error, options.subject ?? `docker API GET ${apiPath}`);
      }
    },
    async tryRequest(apiRequest, options = {}) {
      try {
        return await sendRequest(apiEndpoint, apiRequest, options.signal);
      } catch (error) {
        throw apiFailure(error, options.subject ?? `docker API ${apiRequest.method} ${apiRequest.path}`);
      }
    },
    async run(args, options = {}) {
      const result = await tryRun(args, options);
      if (result.exitCode !== 0) throw dockerFailure(result, options.subject ?? `docker ${args[0] ?? ""}`);
      return result.stdout;
    },
  };
}

/** Turns a failed docker call into an error that says what to do about the common causes. */
export function dockerFailure(result: ExecResult, subject: string): TargetError {
  const message = (result.stderr || result.stdout).trim() || `exit code ${result.exitCode}`;
  if (result.notFound) {
    return new TargetError("the docker CLI is not installed or not on PATH", {
      subject,
      hint: "install the docker CLI in the CI image",
    });
  }
  if (
    /Cannot connect to the Docker daemon|error during connect|failed to open the raw stream connection|has exited with exit status|connection refused|no such host/i.test(
      message,
    )
  ) {
    return new TargetError(`cannot reach the Docker daemon: ${message}`, {
      subject,
      hint: "check docker.host / DOCKER_HOST / the docker context, and that the daemon is running",
    });
  }
  if (/This node is not a swarm manager/i.test(message)) {
    return new TargetError(`the daemon is not a Swarm manager: ${message}`, {
      subject,
      hint: "point docker.host at a manager node",
    });
  }
  return new TargetError(message, { subject });
}
