/**
 * The key groups of a sops file, and which of their keys croncd can open in-process.
 *
 * A file lists its keys either directly under `sops:` (one group) or under `key_groups` (several
 * groups, each holding a Shamir share). sops uses the direct keys when there are any, and the
 * groups otherwise (getsops/sops `stores/stores.go`, `internalKeygroups`).
 */
import type { AgeStanza, PgpStanza, SopsMetadata } from "../sops/index.js";

export interface KeyGroup {
  age: AgeStanza[];
  pgp: PgpStanza[];
  otherKeyTypes: string[];
}

export function keyGroupsOf(metadata: SopsMetadata): KeyGroup[] {
  const direct: KeyGroup = { age: metadata.age, pgp: metadata.pgp, otherKeyTypes: metadata.otherKeyTypes };
  if (direct.age.length > 0 || direct.pgp.length > 0 || direct.otherKeyTypes.length > 0) return [direct];
  return metadata.keyGroups;
}

/**
 * X25519 (`age1…`) and post-quantum (`age1pq1…`) recipients. Plugin recipients (`age1name1…`) and
 * SSH recipients (`ssh-ed25519 …`) need the sops binary (and the plugin or the SSH key).
 */
export function openableInProcess(recipient: string): boolean {
  if (recipient.startsWith("age1pq1")) return true;
  // Bech32 data never contains "1": a second "1" means a plugin's name sits in the prefix.
  return recipient.startsWith("age1") && recipient.indexOf("1", 4) === -1;
}

const KEY_TYPE_NAMES: Record<string, string> = {
  kms: "AWS KMS",
  gcp_kms: "GCP KMS",
  azure_kv: "Azure Key Vault",
  hc_vault: "HashiCorp Vault",
  hckms: "HuaweiCloud KMS",
};

/** `PGP 7FB8…, AWS KMS`: the keys of a group that croncd cannot use in-process. No secrets. */
export function describeOtherKeys(group: KeyGroup): string[] {
  const described = group.pgp.map((key) => `PGP ${key.fp}`);
  for (const type of new Set(group.otherKeyTypes)) described.push(KEY_TYPE_NAMES[type] ?? type);
  const foreignAge = group.age.filter((stanza) => !openableInProcess(stanza.recipient));
  for (const stanza of foreignAge) {
    described.push(
      stanza.recipient.startsWith("ssh-")
        ? `age SSH recipient ${stanza.recipient.split(" ").slice(0, 2).join(" ")}`
        : `age plugin recipient ${stanza.recipient}`,
    );
  }
  return described;
}
