/** How many entries of each action a run produced: the Action's outputs and the dotenv report. */
import { ACTIONS, type Action, type ChangeSetEntry } from "../model/changeset.js";

export type EntryCounts = Record<Action, number> & {
  /** Entries whose live state was changed by hand (healed or not); counted beside their action. */
  drifted: number;
};

export function countEntries(entries: readonly ChangeSetEntry[]): EntryCounts {
  const counts = Object.fromEntries(ACTIONS.map((action) => [action, 0])) as Record<Action, number>;
  let drifted = 0;
  for (const entry of entries) {
    counts[entry.action] += 1;
    if (entry.drift) drifted += 1;
  }
  return { ...counts, drifted };
}
