/**
 * `croncd suspend` / `croncd resume`: marks one item croncd owns on a target so reconciles leave it
 * alone (or removes the mark). The target type does the work (registry.ts); this command says who
 * and when, picks the target and reports.
 */
import type { CroncdConfig } from "../config/schema.js";
import { ExitCode } from "../errors.js";
import type { ChangeSetEntry, ItemKind } from "../model/changeset.js";
import type { Logger } from "../report/logger.js";
import { formatEntry } from "../report/text.js";
import { chooseItemTarget } from "./choose-target.js";
import { suspendedBy } from "./suspended-by.js";
import { underLock } from "./under-lock.js";

export interface SuspendItemRequest {
  config: CroncdConfig;
  command: "suspend" | "resume";
  /** Which kind of item the person named (`--stack` or `--release`). */
  kind: ItemKind;
  name: string;
  namespace?: string;
  target?: string;
  /** suspend --reason: why, for whoever reads the next reports. */
  reason?: string;
  env: NodeJS.ProcessEnv;
  /** When the suspension starts (tests fix it). */
  now?: Date;
  log: Logger;
}

export async function suspendItem(
  request: SuspendItemRequest,
): Promise<{ exitCode: ExitCode; entries: ChangeSetEntry[] }> {
  const { target, verb: suspendOne } = chooseItemTarget(request.config, request, (type) => type.suspendOne);
  const suspension =
    request.command === "suspend"
      ? {
          by: suspendedBy(request.env),
          at: (request.now ?? new Date()).toISOString(),
          ...(request.reason ? { reason: request.reason } : {}),
        }
      : undefined;
  // Waits for any run changing the target: a reconcile half-way must not deploy a stack just suspended.
  const entry = await underLock(
    target,
    request,
    request.command === "suspend" ? "not suspended" : "not resumed",
    () =>
      suspendOne(target, {
        name: request.name,
        ...(request.namespace ? { namespace: request.namespace } : {}),
        ...(suspension ? { suspension } : {}),
      }),
  );
  request.log.info(formatEntry(entry, "reconcile"));
  return { exitCode: entry.action === "failed" ? ExitCode.failed : ExitCode.ok, entries: [entry] };
}
