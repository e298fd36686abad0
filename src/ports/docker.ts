/**
 * The docker port: runs the docker CLI against one target's daemon. A target's `docker.host`
 * becomes DOCKER_HOST and `docker.context` becomes `--context`; with neither, the CLI's own
 * defaults (DOCKER_HOST, the current context) apply, as for a person at a shell.
 */
import { DEFAULTS } from "../config/fields.js";
import { TargetError, TargetUnavailableError } from "../errors.js";
import { ApiRequestError, getJson, sendRequest, type ApiAnswer, type ApiRequest } from "./docker-api.js";
import { runProgram, runProgramSync, type ExecResult } from "./exec.js";
import { dockerMessage, raceLostOn } from "./docker-message.js";

export interface DockerEndpoint {
  host?: string;
  context?: string;
  /**
   * Seconds one docker call may take (default DEFAULTS.dockerTimeout): past this, a daemon that
   * accepted the connection and never answers, or an unreachable ssh:// host, fails the run
   * instead of running into the CI job's time limit.
   */
  timeout?: number;
  /** Seconds a deploy may take (default DEFAULTS.dockerDeployTimeout): it resolves images too. */
  deployTimeout?: number;
}

export interface DockerCallOptions {
  input?: string;
  cwd?: string;
  /** Names what is being done, for error messages: `stack web: deploy`. */
  subject?: string;
  /** A deploy (or image update): gets the endpoint's deployTimeout instead of its timeout. */
  deploy?: boolean;
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

/** The global options and environment that point the docker CLI at the endpoint's daemon. */
function invocation(endpoint: DockerEndpoint): { prefix: string[]; env: Record<string, string> } {
  return {
    prefix: endpoint.context ? ["--context", endpoint.context] : [],
    env: endpoint.host ? { DOCKER_HOST: endpoint.host } : {},
  };
}

/** Runs docker against the endpoint and blocks until it ends: only for `exit` listeners (see runProgramSync). */
export function runDockerSync(
  endpoint: DockerEndpoint,
  args: readonly string[],
): Pick<ExecResult, "exitCode" | "stdout" | "stderr"> {
  const { prefix, env } = invocation(endpoint);
  const timeoutMs = (endpoint.timeout ?? DEFAULTS.dockerTimeout) * 1000;
  return runProgramSync("docker", [...prefix, ...args], { env, timeoutMs });
}

export function createDockerCli(endpoint: DockerEndpoint = {}): DockerCli {
  const { prefix, env } = invocation(endpoint);
  const callMs = (endpoint.timeout ?? DEFAULTS.dockerTimeout) * 1000;
  const deployMs = (endpoint.deployTimeout ?? DEFAULTS.dockerDeployTimeout) * 1000;
  const daemon = endpoint.host ?? (endpoint.context ? `context ${endpoint.context}` : undefined);
  const tryRun = async (args: readonly string[], options: DockerCallOptions = {}) => {
    const result = await runProgram("docker", [...prefix, ...args], {
      env,
      timeoutMs: options.deploy ? deployMs : callMs,
      label: args
        .filter((arg) => !arg.startsWith("-"))
        .slice(0, 2)
        .join(" "),
      ...(options.input !== undefined ? { input: options.input } : {}),
      ...(options.cwd ? { cwd: options.cwd } : {}),
    });
    if (result.stoppedBecause !== "timeout") return result;
    const waited = options.deploy ? "docker.deployTimeout" : "docker.timeout";
    return { ...result, stderr: `${unanswered(daemon)}: ${result.stderr} (${waited})` };
  };
  const apiEndpoint = { globalArgs: prefix, env, timeoutMs: callMs };
  /** `request` names the API call for messages: `GET /services`. */
  const apiFailure = (error: unknown, subject: string, request: string) => {
    if (!(error instanceof ApiRequestError)) return error;
    const { message, notFound, status, stoppedBecause } = error.failure;
    const stderr =
      stoppedBecause === "timeout"
        ? `${unanswered(daemon)}: ${request} got no answer within ${callMs / 1000}s and was stopped (docker.timeout)`
        : message;
    return dockerFailure({ exitCode: status ?? -1, stdout: "", stderr, notFound }, subject);
  };
  return {
    tryRun,
    async getJson(apiPath, options = {}) {
      try {
        return await getJson(apiEndpoint, apiPath, options.signal);
      } catch (error) {
        throw apiFailure(error, options.subject ?? `docker API GET ${apiPath}`, `GET ${apiPath}`);
      }
    },
    async tryRequest(apiRequest, options = {}) {
      try {
        return await sendRequest(apiEndpoint, apiRequest, options.signal);
      } catch (error) {
        const request = `${apiRequest.method} ${apiRequest.path}`;
        throw apiFailure(error, options.subject ?? `docker API ${request}`, request);
      }
    },
    async run(args, options = {}) {
      const result = await tryRun(args, options);
      if (result.exitCode !== 0) throw dockerFailure(result, options.subject ?? `docker ${args[0] ?? ""}`);
      return result.stdout;
    },
  };
}

function unanswered(daemon: string | undefined): string {
  return `the Docker daemon${daemon ? ` at ${daemon}` : ""} did not answer in time`;
}

/** Turns a failed docker call into an error that says what to do about the common causes. */
export function dockerFailure(result: ExecResult, subject: string): TargetError {
  const message = dockerMessage(result);
  if (result.notFound) {
    return new TargetError("the docker CLI is not installed or not on PATH", {
      subject,
      hint: "install the docker CLI in the CI image",
    });
  }
  // The daemon is away, not wrong: TargetUnavailableError, so the run says "unavailable" (exit 3).
  if (/did not answer in time/.test(message)) {
    return new TargetUnavailableError(message, {
      subject,
      hint: "check that the daemon is up and not overloaded; raise docker.timeout / docker.deployTimeout in croncd.yaml for a slow one",
    });
  }
  if (
    /Cannot connect to the Docker daemon|error during connect|failed to open the raw stream connection|has exited with exit status|connection refused|no such host/i.test(
      message,
    )
  ) {
    return new TargetUnavailableError(`cannot reach the Docker daemon: ${message}`, {
      subject,
      hint: "check docker.host / DOCKER_HOST / the docker context, and that the daemon is running",
    });
  }
  const raced = raceLostOn(message);
  if (raced) {
    // docker stack deploy finds a stack's objects by their namespace label: an object of the same
    // name made without it (by hand) meets the same refusal on every run, and is no race.
    return new TargetError(
      `another run (or person) created ${raced} at the same time, or it exists outside the stack`,
      {
        subject,
        hint:
          "let one croncd run per target at a time: resource_group in GitLab CI, concurrency in GitHub Actions; the next run picks up from here. " +
          `If every run says so, ${raced} was made outside the stack (without its com.docker.stack.namespace label): remove or rename it`,
        cause: new Error(message),
      },
    );
  }
  if (/This node is not a swarm manager/i.test(message)) {
    return new TargetError(`the daemon is not a Swarm manager: ${message}`, {
      subject,
      hint: "point docker.host at a manager node",
    });
  }
  return new TargetError(message, { subject });
}
