/**
 * Notifier endpoints and keys come from environment variables named in croncd.yaml. Each value is
 * registered with the masker as soon as it is read: a webhook URL is a credential as a whole (its
 * path is the secret), so not even its host may reach a log.
 */
import { ConfigError } from "../../errors.js";
import type { SecretMasker } from "../../report/mask.js";

/** `list`: the value is several secrets separated by commas or spaces (Apprise URLs). */
export type SecretForm = "single" | "list";

export function readSecretVariable(
  env: NodeJS.ProcessEnv,
  variable: string,
  masker: SecretMasker,
  form: SecretForm = "single",
): string {
  const value = env[variable];
  if (!value) throw new ConfigError(`variable ${variable} is empty or not set`);
  masker.add(value);
  // A server that refuses one of the list may quote just that one back.
  if (form === "list") for (const entry of value.split(/[\s,]+/)) masker.add(entry);
  return value;
}

/** The endpoint URL; also masked in the spelling fetch and URL give it (a trailing `/` added). */
export function readEndpointUrl(env: NodeJS.ProcessEnv, variable: string, masker: SecretMasker): string {
  const value = readSecretVariable(env, variable, masker);
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new ConfigError(`variable ${variable} does not hold a URL`);
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") {
    throw new ConfigError(
      `variable ${variable} holds a ${parsed.protocol.replace(/:$/, "")} URL, not http(s)`,
    );
  }
  masker.add(parsed.href);
  return value;
}
