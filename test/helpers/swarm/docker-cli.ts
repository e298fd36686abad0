// Talking to one particular daemon through the docker CLI. The environment is always passed
// explicitly, never taken from whatever DOCKER_HOST this process happens to have, so a call can
// only ever reach the daemon it was meant for.
import { execa } from "execa";
import { nonEmptyLines } from "../../../src/util/text-lines.js";
import { errorText } from "./system.js";

export const DOCKER_CALL_TIMEOUT_MS = 60_000;

/** Environment for the docker CLI; `undefined` removes a variable inherited from this process. */
export type DockerEnv = Record<string, string | undefined>;

export type DockerCall = (
  args: string[],
  options?: { input?: string; env?: Record<string, string> },
) => Promise<{ stdout: string }>;

/** The docker CLI variables that could send it elsewhere; saved and restored by `exportDockerEnv`. */
const DOCKER_ENV_KEYS = [
  "DOCKER_HOST",
  "DOCKER_CONFIG",
  "DOCKER_CONTEXT",
  "DOCKER_TLS_VERIFY",
  "DOCKER_CERT_PATH",
];

/**
 * The environment that makes the docker CLI talk to `host` only, whatever the person has in their
 * environment or ~/.docker (contexts, TLS settings).
 */
export function isolatedDockerEnv(host: string, dockerConfig: string): DockerEnv {
  return {
    DOCKER_HOST: host,
    DOCKER_CONFIG: dockerConfig,
    DOCKER_CONTEXT: undefined,
    DOCKER_TLS_VERIFY: undefined,
    DOCKER_CERT_PATH: undefined,
  };
}

/** A docker runner bound to `env`: rejects with the command and docker's stderr in the message. */
export function dockerCaller(env: DockerEnv): DockerCall {
  return (args, options = {}) =>
    execa("docker", args, {
      timeout: DOCKER_CALL_TIMEOUT_MS,
      input: options.input,
      env: { ...env, ...options.env },
    }).catch((error: unknown) => {
      throw new Error(`docker ${args.join(" ")} failed: ${errorText(error)}`);
    });
}

/** Removes the stacks `select` picks (without waiting for their tasks to stop). */
export async function removeStacks(docker: DockerCall, select: (name: string) => boolean): Promise<void> {
  const { stdout } = await docker(["stack", "ls", "--format", "{{.Name}}"]);
  const names = nonEmptyLines(stdout).filter(select);
  if (names.length > 0) await docker(["stack", "rm", ...names]);
}

/**
 * Puts `env` into this process's environment, for child processes that cannot be handed an
 * environment (vitest's workers). Returns a function that restores the previous values.
 */
export function exportDockerEnv(env: DockerEnv): () => void {
  const keys = [...new Set([...DOCKER_ENV_KEYS, ...Object.keys(env)])];
  const saved = Object.fromEntries(keys.map((key) => [key, process.env[key]]));
  const apply = (values: DockerEnv): void => {
    for (const [key, value] of Object.entries(values)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  };
  apply(env);
  return () => apply(saved);
}
