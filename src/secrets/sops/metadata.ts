/**
 * The `sops:` section: its schema across the layouts sops has written over the years (3.2 to
 * 3.13), and what croncd keeps of it.
 *
 * - Old files list every key service, empty or not (`kms: []`, or `kms: null` in JSON); newer
 *   ones omit the empty ones. All three mean "none".
 * - dotenv and INI store the section flattened (`sops_age__list_0__map_recipient=…`), every value
 *   a string: `mac_only_encrypted` is then `"true"`/`"false"` and `shamir_threshold` a number in
 *   text. sops decodes with weak typing (mapstructure `WeaklyTypedInput`), and so does this.
 * - Keys are either listed directly (one group) or under `key_groups` (several groups holding
 *   Shamir shares); sops uses the direct keys when there are any (`stores/stores.go`).
 */
import * as z from "zod";
import type { PlainValue } from "./flatten.js";
import { formatFloatF, parseGoBool, parseGoIntBase0 } from "./gonum.js";
import { formatRfc3339, parseRfc3339 } from "./gotime.js";
import { cryptRules, type CryptRules } from "./selectors.js";
import type { Value } from "./tree.js";

export interface AgeStanza {
  recipient: string;
  enc: string;
}

export interface PgpStanza {
  fp: string;
  enc: string;
}

export interface SopsMetadata {
  age: AgeStanza[];
  pgp: PgpStanza[];
  /** Names of the other key services present (kms, gcp_kms, azure_kv, hc_vault) with entries. */
  otherKeyTypes: string[];
  /** Key groups (shamir): each group lists its age and pgp stanzas; empty when the file has none. */
  keyGroups: { age: AgeStanza[]; pgp: PgpStanza[]; otherKeyTypes: string[] }[];
  shamirThreshold?: number;
  /** `lastmodified` as the file stores it. */
  lastModified: string;
  mac?: string;
  version?: string;
  macOnlyEncrypted: boolean;
}

/** mapstructure's weak string: numbers and booleans become text. */
const weakString = z.preprocess((value) => {
  if (typeof value === "number") return formatFloatF(value);
  if (typeof value === "boolean") return value ? "1" : "0";
  return value;
}, z.string());

const weakBool = z.preprocess((value) => {
  if (typeof value === "string") return value === "" ? false : (parseGoBool(value) ?? value);
  if (typeof value === "number") return value !== 0;
  return value;
}, z.boolean());

const weakInt = z.preprocess((value) => {
  if (typeof value === "string") {
    if (value === "") return 0;
    const parsed = parseGoIntBase0(value, false);
    return parsed === undefined ? value : Number(parsed);
  }
  if (typeof value === "boolean") return value ? 1 : 0;
  if (typeof value === "number") return Math.trunc(value);
  return value;
}, z.number().int());

/** A list that may be absent or null (`kms: null` in old JSON files). */
function list<T extends z.ZodType>(item: T) {
  return z
    .array(item)
    .nullish()
    .transform((items) => items ?? []);
}

const ageStanza = z.looseObject({ recipient: weakString, enc: weakString });
const pgpStanza = z.looseObject({ fp: weakString, enc: weakString, created_at: weakString.optional() });
const otherStanza = z.looseObject({});

const OTHER_KEY_TYPES = ["kms", "gcp_kms", "azure_kv", "hc_vault", "hckms"] as const;

const keyLists = {
  age: list(ageStanza),
  pgp: list(pgpStanza),
  kms: list(otherStanza),
  gcp_kms: list(otherStanza),
  azure_kv: list(otherStanza),
  hc_vault: list(otherStanza),
  hckms: list(otherStanza),
};

const keyGroup = z.looseObject(keyLists);

const optionalString = weakString.nullish().transform((value) => value ?? "");

export const metadataSchema = z.looseObject({
  ...keyLists,
  key_groups: list(keyGroup),
  shamir_threshold: weakInt.nullish(),
  lastmodified: weakString,
  mac: optionalString,
  version: weakString.nullish(),
  unencrypted_suffix: optionalString,
  encrypted_suffix: optionalString,
  unencrypted_regex: optionalString,
  encrypted_regex: optionalString,
  unencrypted_comment_regex: optionalString,
  encrypted_comment_regex: optionalString,
  mac_only_encrypted: weakBool.nullish().transform((value) => value ?? false),
});

type KeyLists = { [K in keyof typeof keyLists]: z.infer<(typeof keyLists)[K]> };

function groupOf(lists: KeyLists): SopsMetadata["keyGroups"][number] {
  return {
    age: lists.age.map((stanza) => ({ recipient: stanza.recipient, enc: stanza.enc })),
    pgp: lists.pgp.map((stanza) => ({ fp: stanza.fp, enc: stanza.enc })),
    otherKeyTypes: OTHER_KEY_TYPES.filter((type) => lists[type].length > 0),
  };
}

export interface ParsedMetadata {
  readonly metadata: SopsMetadata;
  readonly rules: CryptRules;
  /** `lastmodified` re-printed as RFC 3339: the AAD of the MAC. */
  readonly macAad: string;
}

/** Converts a loaded `sops` value (any format) to plain data for the schema. */
export function plainMetadata(value: Value): PlainValue {
  switch (value.kind) {
    case "branch": {
      const result: { [key: string]: PlainValue } = Object.create(null) as { [key: string]: PlainValue };
      for (const item of value.items) if (item.kind === "entry") result[item.key] = plainMetadata(item.value);
      return result;
    }
    case "seq":
      return value.items.flatMap((item) => (item.kind === "comment" ? [] : [plainMetadata(item)]));
    case "str":
      return value.value;
    case "rawstr":
    case "bytes":
      return new TextDecoder().decode(value.value);
    case "int":
      return Number(value.value);
    case "float":
      return value.value;
    case "bool":
      return value.value;
    case "time":
      return formatRfc3339(value.value, true) ?? "";
    case "null":
      return null;
  }
}

/**
 * Validates the metadata. Throws Error with a reason (field names, never values) when it is
 * malformed; UnsupportedGoRegex when a selector regex cannot be evaluated.
 */
export function parseMetadata(raw: PlainValue): ParsedMetadata {
  const result = metadataSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0];
    const field = issue && issue.path.length > 0 ? issue.path.join(".") : "the section";
    if (issue?.code === "invalid_type" && issue.message.endsWith("received undefined")) {
      throw new Error(`its sops metadata has no ${field}`);
    }
    throw new Error(`its sops metadata is malformed at ${field}: ${issue?.message ?? "invalid"}`);
  }
  const data = result.data;
  const lastModified = parseRfc3339(data.lastmodified);
  if (!lastModified) throw new Error("its sops metadata has a lastmodified that is not an RFC 3339 time");
  const direct = groupOf(data);
  const hasDirect = direct.age.length > 0 || direct.pgp.length > 0 || direct.otherKeyTypes.length > 0;
  const metadata: SopsMetadata = {
    ...direct,
    keyGroups: hasDirect ? [] : data.key_groups.map((group) => groupOf(group)),
    lastModified: data.lastmodified,
    macOnlyEncrypted: data.mac_only_encrypted,
    ...(data.shamir_threshold !== undefined && data.shamir_threshold !== null
      ? { shamirThreshold: data.shamir_threshold }
      : {}),
    ...(data.mac !== "" ? { mac: data.mac } : {}),
    ...(data.version !== undefined && data.version !== null ? { version: data.version } : {}),
  };
  const rules = cryptRules(data, data.mac_only_encrypted);
  return { metadata, rules, macAad: formatRfc3339(lastModified, false) as string };
}
