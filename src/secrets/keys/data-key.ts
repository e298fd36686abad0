/**
 * Finds the sops data key of a file: age in-process first; anything else (PGP, cloud KMS, Vault,
 * age plugins, SSH keys) is left to the sops binary.
 *
 * This follows sops's `GetDataKeyWithKeyServices`: each key group is opened by the first of its
 * keys that works. One group holds the data key itself. Several groups hold one Shamir share each,
 * and `shamir_threshold` of them rebuild the key.
 */
import { identityToRecipient } from "age-encryption";
import { SecretError } from "../../errors.js";
import type { AgeStanza, SopsMetadata } from "../sops/index.js";
import {
  collectAgeIdentities,
  SOPS_AGE_KEY,
  SOPS_AGE_KEY_CMD,
  SOPS_AGE_KEY_FILE,
  type AgeIdentities,
  type AgeIdentityOptions,
} from "./age-identities.js";
import { shortRecipient, unwrapAgeStanza } from "./age-unwrap.js";
import { describeOtherKeys, keyGroupsOf, openableInProcess, type KeyGroup } from "./key-groups.js";
import { combineShares, type ShamirError } from "./shamir.js";

export interface KeyOptions extends AgeIdentityOptions {
  /** The sops file, named in every error. */
  file: string;
}

export const DATA_KEY_BYTES = 32;

export type DataKeyResolution =
  | { dataKey: Uint8Array }
  /** Only the sops binary can open it; `reason` says why age in-process could not. */
  | { needsSopsBinary: true; reason: string };

export async function resolveDataKey(
  metadata: SopsMetadata,
  options: KeyOptions,
): Promise<Uint8Array | "needs-sops-binary"> {
  const resolution = await resolveDataKeyWithReason(metadata, options);
  return "dataKey" in resolution ? resolution.dataKey : "needs-sops-binary";
}

export async function resolveDataKeyWithReason(
  metadata: SopsMetadata,
  options: KeyOptions,
): Promise<DataKeyResolution> {
  const groups = keyGroupsOf(metadata);
  if (groups.length === 0)
    throw new SecretError("its sops metadata lists no keys", { subject: options.file });
  const identities = new IdentityCache(options);

  if (groups.length === 1) {
    const group = groups[0] as KeyGroup;
    const opened = await openGroup(group, identities, options.file);
    if (opened) return { dataKey: checkedDataKey(opened, options.file) };
    return refuse(group, identities, options.file);
  }

  // Several key groups: sops needs `shamir_threshold` shares (it writes the threshold whenever
  // it splits; without one, require every group, as sops's encrypt would have).
  const threshold = Math.max(
    metadata.shamirThreshold && metadata.shamirThreshold > 0 ? metadata.shamirThreshold : groups.length,
    2,
  );
  const shares: Uint8Array[] = [];
  const closed: KeyGroup[] = [];
  for (const group of groups) {
    if (shares.length >= threshold) break;
    const share = await openGroup(group, identities, options.file);
    if (share) shares.push(share);
    else closed.push(group);
  }
  if (shares.length < threshold) {
    const foreign = closed.flatMap(describeOtherKeys);
    const summary = `only ${shares.length} of its ${groups.length} key groups could be opened with age, and ${threshold} are needed (shamir_threshold)`;
    if (foreign.length > 0 || identities.protectedFiles().length > 0)
      return {
        needsSopsBinary: true,
        reason: `${summary} (${await describeAgeFailure(closed, identities)})`,
      };
    throw new SecretError(summary, {
      subject: options.file,
      hint: await describeAgeFailure(closed, identities),
    });
  }
  let combined: Uint8Array;
  try {
    combined = combineShares(shares);
  } catch (error) {
    throw new SecretError(`its key group shares cannot be combined: ${(error as ShamirError).message}`, {
      subject: options.file,
      cause: error,
    });
  } finally {
    for (const share of shares) share.fill(0);
  }
  return { dataKey: checkedDataKey(combined, options.file) };
}

/** The first age entry of the group that one of the identities opens, or null. */
async function openGroup(
  group: KeyGroup,
  identities: IdentityCache,
  file: string,
): Promise<Uint8Array | null> {
  for (const stanza of group.age) {
    if (!openableInProcess(stanza.recipient)) continue;
    const found = await identities.for(stanza.recipient);
    const payload = await unwrapAgeStanza(stanza.enc, found.identities, {
      file,
      recipient: stanza.recipient,
    });
    if (payload) return payload;
  }
  return null;
}

function checkedDataKey(key: Uint8Array, file: string): Uint8Array {
  if (key.length !== DATA_KEY_BYTES) {
    throw new SecretError(`the data key opened with age is ${key.length} bytes long, not ${DATA_KEY_BYTES}`, {
      subject: file,
    });
  }
  return key;
}

async function refuse(group: KeyGroup, identities: IdentityCache, file: string): Promise<DataKeyResolution> {
  const reason = await describeAgeFailure([group], identities);
  if (describeOtherKeys(group).length > 0 || identities.protectedFiles().length > 0)
    return { needsSopsBinary: true, reason };
  const found = identities.seen();
  const message =
    found.identities.length === 0 ? "no age key found to decrypt it" : "none of the age keys found opens it";
  throw new SecretError(message, { subject: file, hint: reason });
}

/** Why age could not open these groups, naming public keys and places only (never a private key). */
async function describeAgeFailure(groups: KeyGroup[], identities: IdentityCache): Promise<string> {
  const stanzas: AgeStanza[] = groups.flatMap((group) => group.age);
  const openable = stanzas.filter((stanza) => openableInProcess(stanza.recipient));
  const found = identities.seen();
  const parts: string[] = [];
  if (openable.length === 0) {
    parts.push(stanzas.length === 0 ? "it has no age recipient" : "it has no age recipient croncd can open");
  } else {
    const recipients = openable.map((stanza) => shortRecipient(stanza.recipient)).join(", ");
    if (found.identities.length === 0) {
      parts.push(`it is encrypted for age ${recipients}`);
    } else {
      const keys = await Promise.all(
        found.identities.map(
          async (identity) => `${shortRecipient(await publicKeyOf(identity.secretKey))} (${identity.origin})`,
        ),
      );
      parts.push(`it is encrypted for age ${recipients}; the age keys found are for ${keys.join(", ")}`);
    }
    parts.push(`looked in: ${found.places.join("; ")}`);
  }
  if (found.problems.length > 0) parts.push(`problems: ${found.problems.join("; ")}`);
  if (found.protectedFiles.length > 0)
    parts.push(`passphrase-protected key files need the sops binary: ${found.protectedFiles.join(", ")}`);
  if (found.plugins.length > 0)
    parts.push(`age plugin identities need the sops binary: ${found.plugins.join(", ")}`);
  if (openable.length > 0 && found.identities.length === 0) {
    parts.push(
      `set ${SOPS_AGE_KEY_FILE} (a keys file), ${SOPS_AGE_KEY} (the keys) or ${SOPS_AGE_KEY_CMD} (a command printing them)`,
    );
  }
  return parts.join("; ");
}

async function publicKeyOf(secretKey: string): Promise<string> {
  try {
    return await identityToRecipient(secretKey);
  } catch {
    return "an unreadable key";
  }
}

/**
 * Reads the key sources once per decryption, or once per recipient when `SOPS_AGE_KEY_CMD` is set:
 * sops runs that command for every key it tries, with `SOPS_AGE_RECIPIENT` naming the key.
 */
class IdentityCache {
  private readonly byRecipient = new Map<string, Promise<AgeIdentities>>();
  private readonly collected: AgeIdentities[] = [];

  constructor(private readonly options: AgeIdentityOptions) {}

  for(recipient: string): Promise<AgeIdentities> {
    const key = this.options.env[SOPS_AGE_KEY_CMD] === undefined ? "" : recipient;
    let found = this.byRecipient.get(key);
    if (!found) {
      found = collectAgeIdentities(this.options, recipient).then((result) => {
        this.collected.push(result);
        return result;
      });
      this.byRecipient.set(key, found);
    }
    return found;
  }

  protectedFiles(): string[] {
    return this.seen().protectedFiles;
  }

  /** Everything collected so far, merged for messages (each origin once). */
  seen(): AgeIdentities {
    const unique = <T>(items: T[], key: (item: T) => string) => [
      ...new Map(items.map((item) => [key(item), item])).values(),
    ];
    const all = this.collected;
    return {
      identities: unique(
        all.flatMap((found) => found.identities),
        (identity) => `${identity.origin}\0${identity.secretKey}`,
      ),
      places: unique(
        all.flatMap((found) => found.places),
        (place) => place,
      ),
      problems: unique(
        all.flatMap((found) => found.problems),
        (problem) => problem,
      ),
      plugins: unique(
        all.flatMap((found) => found.plugins),
        (plugin) => plugin,
      ),
      protectedFiles: unique(
        all.flatMap((found) => found.protectedFiles),
        (file) => file,
      ),
    };
  }
}
