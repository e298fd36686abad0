/**
 * croncd keeps small records in the Swarm (the lock, the alert state) as Swarm configs whose labels
 * hold the record: a config's data is immutable, but its labels may change at a given version
 * index, so a writer that read an older version is refused instead of overwriting a newer record.
 */
import type { DockerCli } from "../../ports/docker.js";

export interface LabelledConfig {
  ID: string;
  Version: { Index: number };
  Spec: { Name?: string; Labels?: Record<string, string> };
}

/** The version a label update must name: this exact config (its ID) at this index. */
export interface ConfigVersion {
  id: string;
  index: number;
}

/**
 * The config of exactly this name, or undefined when there is none (Docker also finds a config by
 * an ID prefix, which is never the record). Any other answer goes to `failed`.
 */
export async function readConfigNamed(
  docker: DockerCli,
  name: string,
  options: { subject: string; failed: (verb: string, message: string) => Error },
): Promise<LabelledConfig | undefined> {
  const answer = await docker.tryRequest(
    { method: "GET", path: `/configs/${encodeURIComponent(name)}` },
    { subject: options.subject },
  );
  if (answer.status === 404) return undefined;
  if (answer.status !== 200) throw options.failed("read", answer.message);
  const found = answer.json as LabelledConfig;
  return found.Spec.Name === name ? found : undefined;
}

/** Replaces the labels of the config at `version`; the name and data must be sent as they are. */
export function updateConfigLabels(
  docker: DockerCli,
  version: ConfigVersion,
  body: { Name: string; Labels: Record<string, string>; Data: string },
  subject: string,
) {
  return docker.tryRequest(
    {
      method: "POST",
      path: `/configs/${encodeURIComponent(version.id)}/update?version=${version.index}`,
      body,
    },
    { subject },
  );
}
