/**
 * The alert state as flat string fields (one per item, one for the source's unavailability), for
 * stores that hold strings: Swarm config labels, ConfigMap data. One field per item keeps each
 * value small, and lets a person read one item's state with `docker config inspect`.
 */
import { parseItemState, parseUnavailable, type TargetAlertState } from "./state.js";

export const ITEM_FIELD_PREFIX = "item:";
export const UNAVAILABLE_FIELD = "unavailable";

export function stateToFields(state: TargetAlertState): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [key, item] of Object.entries(state.items).sort(([a], [b]) => a.localeCompare(b))) {
    fields[`${ITEM_FIELD_PREFIX}${key}`] = JSON.stringify(item);
  }
  if (state.unavailable) fields[UNAVAILABLE_FIELD] = JSON.stringify(state.unavailable);
  return fields;
}

/** Fields that do not parse are left out: a record lost that way makes croncd alert again, never miss. */
export function stateFromFields(fields: Readonly<Record<string, string>>): TargetAlertState {
  const items: TargetAlertState["items"] = {};
  for (const [field, value] of Object.entries(fields)) {
    if (!field.startsWith(ITEM_FIELD_PREFIX)) continue;
    const item = parseItemState(value);
    if (item) items[field.slice(ITEM_FIELD_PREFIX.length)] = item;
  }
  const unavailable = parseUnavailable(fields[UNAVAILABLE_FIELD]);
  return { items, ...(unavailable ? { unavailable } : {}) };
}
