/**
 * `--ref SOURCE=REF`: plans or validates a source at another ref than croncd.yaml says — a
 * merge-request job plans the MR's own commit this way.
 */
import { ConfigError } from "../errors.js";
import { gitRef, type CroncdConfig } from "./schema.js";

export function applyRefOverrides(config: CroncdConfig, overrides: readonly string[]): CroncdConfig {
  const refs = new Map<string, string>();
  for (const override of overrides) {
    const equals = override.indexOf("=");
    const name = override.slice(0, equals);
    const ref = override.slice(equals + 1);
    if (equals <= 0 || ref === "") {
      throw new ConfigError(`"${override}" is not SOURCE=REF`, { subject: "--ref" });
    }
    if (!config.sources.some((source) => source.name === name)) {
      const known = config.sources.map((source) => source.name).join(", ");
      throw new ConfigError(`no source named "${name}"; known: ${known}`, { subject: "--ref" });
    }
    if (!gitRef.safeParse(ref).success) {
      throw new ConfigError(`"${ref}" is not a valid branch, tag or commit name`, { subject: "--ref" });
    }
    refs.set(name, ref);
  }
  return {
    ...config,
    sources: config.sources.map((source) => ({ ...source, ref: refs.get(source.name) ?? source.ref })),
  };
}
