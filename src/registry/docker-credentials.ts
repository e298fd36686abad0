/**
 * The credentials `docker login` left for a registry in the job's docker config
 * (`$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`): `auths.<registry>.auth` is base64
 * of `user:password`, or `identitytoken` for an OAuth refresh token. Credential helpers
 * (`credsStore`, `credHelpers`) keep them elsewhere: croncd does not run helpers, and says so when
 * a registry refuses it and a helper is configured for it.
 */
import { readFile } from "node:fs/promises";
import { homedir } from "node:os";
import path from "node:path";

export type RegistryCredentials =
  { kind: "basic"; username: string; password: string } | { kind: "none"; helper?: string };

interface DockerConfigFile {
  auths?: Record<string, { auth?: string; username?: string; password?: string }>;
  credsStore?: string;
  credHelpers?: Record<string, string>;
}

/** Keys `docker login` has written for Docker Hub over the years. */
const DOCKER_HUB_KEYS = ["https://index.docker.io/v1/", "index.docker.io", "docker.io"];

export function dockerConfigFile(env: NodeJS.ProcessEnv): string {
  return path.join(env.DOCKER_CONFIG ?? path.join(homedir(), ".docker"), "config.json");
}

/** The credentials for `registry` (`host[:port]` or `docker.io`); none when the file has none. */
export async function credentialsFor(registry: string, env: NodeJS.ProcessEnv): Promise<RegistryCredentials> {
  const config = await readDockerConfig(dockerConfigFile(env));
  const wanted = registry === "docker.io" ? DOCKER_HUB_KEYS.map(hostOf) : [registry];
  for (const [key, entry] of Object.entries(config.auths ?? {})) {
    if (!wanted.includes(hostOf(key))) continue;
    const basic = decodeAuth(entry.auth) ?? fromFields(entry.username, entry.password);
    if (basic) return { kind: "basic", ...basic };
  }
  const helper = config.credHelpers?.[registry] ?? config.credsStore;
  return helper ? { kind: "none", helper } : { kind: "none" };
}

async function readDockerConfig(file: string): Promise<DockerConfigFile> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch {
    // No docker login has happened: anonymous access.
    return {};
  }
  try {
    return JSON.parse(text) as DockerConfigFile;
  } catch {
    // docker itself refuses a broken config; say nothing of its content (it holds credentials).
    throw new Error(`${file} is not valid JSON (docker login writes it; check the job's DOCKER_CONFIG)`);
  }
}

/** docker's ConvertToHostname: `https://host:5000/v1/` → `host:5000`. */
function hostOf(key: string): string {
  return key.replace(/^[a-z]+:\/\//i, "").split("/")[0] ?? key;
}

function decodeAuth(auth: string | undefined): { username: string; password: string } | undefined {
  if (!auth) return undefined;
  const text = Buffer.from(auth, "base64").toString("utf8");
  const colon = text.indexOf(":");
  if (colon <= 0) return undefined;
  return { username: text.slice(0, colon), password: text.slice(colon + 1) };
}

function fromFields(
  username?: string,
  password?: string,
): { username: string; password: string } | undefined {
  return username && password ? { username, password } : undefined;
}
