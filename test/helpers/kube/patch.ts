// The two patch formats helm 3 sends on upgrade: a JSON merge patch (RFC 7386) for kinds it has no Go
// type for, and a strategic merge patch for built-in kinds. The strategic form is a merge patch plus
// list merging by key (containers by `name`, …) and `$`-directives. Only the parts a chart upgrade
// produces are implemented; unknown directives are rejected rather than ignored, so a gap shows up as a
// failing request instead of a silently wrong object.
import { unsupported } from "./status.js";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** RFC 7386: objects merge recursively, `null` deletes a key, anything else replaces. */
export function applyMergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) return patch;
  const result: JsonObject = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = applyMergePatch(result[key] ?? null, value);
  }
  return result;
}

// Field name → the key its list elements are merged by (the `patchMergeKey` of Kubernetes' Go types
// for the fields a chart commonly uses). A list field not named here is replaced whole, as atomic
// lists are.
const MERGE_KEYS: Readonly<Record<string, string>> = {
  containers: "name",
  initContainers: "name",
  volumes: "name",
  env: "name",
  envFrom: "prefix",
  imagePullSecrets: "name",
  volumeMounts: "mountPath",
  ownerReferences: "uid",
};

function mergeKeyFor(field: string, items: Json[]): string | undefined {
  // Container ports merge by containerPort, Service ports by port: both fields are called `ports`.
  if (field === "ports") {
    return items.some((item) => isObject(item) && "containerPort" in item) ? "containerPort" : "port";
  }
  return MERGE_KEYS[field];
}

function mergeList(field: string, current: Json | undefined, patch: Json[]): Json[] {
  const mergeKey = mergeKeyFor(field, patch);
  if (mergeKey === undefined || !Array.isArray(current)) {
    // Replaced whole; its elements may still carry directives of their own to resolve.
    return patch
      .filter((item) => !(isObject(item) && item.$patch === "delete"))
      .map((item) => applyStrategicMergePatch(null, item));
  }
  const merged = [...current];
  for (const item of patch) {
    if (!isObject(item)) throw unsupported(`strategic merge patch: list ${field} holds a non-object`);
    const index = merged.findIndex((existing) => isObject(existing) && existing[mergeKey] === item[mergeKey]);
    if (item.$patch === "delete") {
      if (index >= 0) merged.splice(index, 1);
    } else if (index >= 0) {
      merged[index] = applyStrategicMergePatch(merged[index] ?? null, item);
    } else {
      merged.push(applyStrategicMergePatch(null, item));
    }
  }
  return merged;
}

/** A strategic merge patch on `target` (which is not modified). */
export function applyStrategicMergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) return patch;
  if (patch.$patch === "replace") {
    const replacement = { ...patch };
    delete replacement.$patch;
    return replacement;
  }
  const result: JsonObject = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (key === "$patch") continue;
    // `$setElementOrder/<list>` only orders a merged list; order does not change what helm reads back.
    if (key.startsWith("$setElementOrder/")) continue;
    if (key.startsWith("$deleteFromPrimitiveList/")) {
      const list = key.slice("$deleteFromPrimitiveList/".length);
      const remove = Array.isArray(value) ? value : [];
      const existing = result[list];
      if (Array.isArray(existing)) result[list] = existing.filter((item) => !remove.includes(item));
      continue;
    }
    if (key === "$retainKeys") {
      const keep = new Set(Array.isArray(value) ? value : []);
      for (const existing of Object.keys(result)) {
        if (!keep.has(existing) && !(existing in patch)) delete result[existing];
      }
      continue;
    }
    if (key.startsWith("$")) throw unsupported(`strategic merge patch directive ${key} is not supported`);
    if (value === null) delete result[key];
    else if (Array.isArray(value)) result[key] = mergeList(key, result[key], value);
    else if (isObject(value)) result[key] = applyStrategicMergePatch(result[key] ?? null, value);
    else result[key] = value;
  }
  return result;
}

export type { Json, JsonObject };
export { isObject };
