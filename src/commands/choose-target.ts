/**
 * The target a one-item command (prune, suspend, resume) acts on: the one named by --target, or
 * the only one configured.
 */
import type { CroncdConfig, TargetConfig } from "../config/schema.js";
import { ConfigError } from "../errors.js";
import type { ItemKind } from "../model/changeset.js";
import { targetTypeOf, type TargetType } from "../targets/registry.js";

/**
 * The target and its verb, for a command that names one item: refused when the target deploys
 * another kind of item than the one named, or does not offer the verb `pick` asks for.
 */
export function chooseItemTarget<Verb>(
  config: CroncdConfig,
  request: { target?: string; kind: ItemKind; command: string },
  pick: (type: TargetType<TargetConfig>) => Verb | undefined,
): { target: TargetConfig; verb: Verb } {
  const target = chooseTarget(config, request.target, request.command);
  const type = targetTypeOf(target);
  const verb = pick(type);
  if (type.itemKind !== request.kind || verb === undefined) {
    throw new ConfigError(
      `target ${target.name} (type ${target.type}) deploys ${type.itemKind}s, not ${request.kind}s; use --${type.itemKind} NAME`,
      { subject: request.command },
    );
  }
  return { target, verb };
}

function chooseTarget(config: CroncdConfig, name: string | undefined, command: string): TargetConfig {
  if (name) {
    const found = config.targets.find((target) => target.name === name);
    if (!found) {
      throw new ConfigError(
        `no target named "${name}"; known: ${config.targets.map((t) => t.name).join(", ")}`,
        {
          subject: "--target",
        },
      );
    }
    return found;
  }
  const [only, ...others] = config.targets;
  if (!only || others.length > 0) {
    throw new ConfigError("several targets are configured; say which one with --target NAME", {
      subject: command,
    });
  }
  return only;
}
