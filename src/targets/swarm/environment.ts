/**
 * Service environments, resolved by croncd rather than by `docker stack deploy`: env_file contents
 * are folded into `environment`, and bare names (`- DEBUG`) are looked up in the stack's
 * variables. The deployed file then says everything a service gets, so its hash changes when an
 * env file changes, and nothing from the CI job's own environment slips in unasked.
 */
import path from "node:path";
import { RenderError } from "../../errors.js";
import type { SourceLocation } from "../../model/changeset.js";
import { resolveRepoFile } from "../../compose/file-refs.js";
import type { VariableLookup } from "../../compose/interpolate.js";
import type { StackSecrets } from "./stack-secrets.js";

export interface EnvironmentContext {
  repoRoot: string;
  stackDir: string;
  /** For messages: `stacks/web/compose.yaml services.web`. */
  where: string;
  /** Where a key path of the service sits in the compose file, for errors. */
  locate?: (path: readonly (string | number)[]) => SourceLocation;
  lookup: VariableLookup;
  /** Reads env files, plain or sops-encrypted. */
  secrets: StackSecrets;
  /** Values of sops env files as placeholders (for the desired-state hash). */
  placeholders?: boolean;
}

type Scalar = string | number | boolean | null;

export async function resolveServiceEnvironment(
  service: Record<string, unknown>,
  context: EnvironmentContext,
): Promise<Record<string, string> | undefined> {
  if (service.env_file === undefined && service.environment === undefined) return undefined;
  const merged = new Map<string, string>();
  for (const reference of envFileEntries(service.env_file)) {
    const absolute = await resolveRepoFile({
      repoRoot: context.repoRoot,
      baseDir: context.stackDir,
      reference,
      field: `${context.where}.env_file`,
      ...(context.locate ? { location: context.locate(["env_file"]) } : {}),
    });
    const display = path.relative(context.repoRoot, absolute);
    const file = await context.secrets.readEnvFile(absolute, display, context.lookup, {
      placeholders: context.placeholders ?? false,
    });
    for (const [key, value] of file.variables) merged.set(key, value);
  }
  for (const [key, value] of environmentEntries(service.environment, context.where)) {
    if (value !== null) {
      merged.set(key, String(value));
      continue;
    }
    // `KEY` with no value means "pass it through" — from the stack's variables only.
    const resolved = context.lookup(key);
    if (resolved === undefined) merged.delete(key);
    else merged.set(key, resolved);
  }
  return Object.fromEntries(merged);
}

/** docker stack deploy accepts a path or a list of paths (the schema has checked the types). */
function envFileEntries(raw: unknown): string[] {
  if (raw === undefined || raw === null) return [];
  return (Array.isArray(raw) ? raw : [raw]).map(String);
}

function environmentEntries(raw: unknown, where: string): [string, Scalar][] {
  if (raw === undefined || raw === null) return [];
  if (Array.isArray(raw)) {
    return raw.map((item, index): [string, Scalar] => {
      if (typeof item !== "string") {
        throw new RenderError(`environment[${index}] must be a string "KEY=value"`, { subject: where });
      }
      const equals = item.indexOf("=");
      return equals === -1 ? [item, null] : [item.slice(0, equals), item.slice(equals + 1)];
    });
  }
  if (typeof raw === "object") {
    return Object.entries(raw as Record<string, unknown>).map(([key, value]): [string, Scalar] => {
      if (value === null || ["string", "number", "boolean"].includes(typeof value))
        return [key, value as Scalar];
      throw new RenderError(`environment.${key} must be a string, number or boolean`, { subject: where });
    });
  }
  throw new RenderError("environment must be a list or a mapping", { subject: where });
}
