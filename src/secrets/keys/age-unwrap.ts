/**
 * Opens one `sops.age[].enc` entry: an ASCII-armored age file whose payload is the sops data key
 * (32 bytes), or one Shamir share of it (33 bytes) when the file uses key groups.
 */
import { armor, Decrypter } from "age-encryption";
import { SecretError } from "../../errors.js";
import type { AgeIdentity } from "./age-identities.js";

/** age-encryption's message when no identity matches a recipient stanza. */
const NO_MATCH = "no identity matched any of the file's recipients";

/**
 * Returns the payload, or `null` when none of `identities` is a recipient of this entry.
 * Throws a SecretError when the entry itself is broken (bad armor, a stanza that matches but does
 * not authenticate): that is tampering or corruption, not a wrong key.
 */
export async function unwrapAgeStanza(
  enc: string,
  identities: readonly AgeIdentity[],
  context: { file: string; recipient: string },
): Promise<Uint8Array | null> {
  if (identities.length === 0) return null;
  let encrypted: Uint8Array;
  try {
    encrypted = armor.decode(enc);
  } catch (error) {
    throw new SecretError(`the age entry for ${shortRecipient(context.recipient)} is not armored age data`, {
      subject: context.file,
      cause: error,
    });
  }
  const decrypter = new Decrypter();
  for (const identity of identities) {
    try {
      decrypter.addIdentity(identity.secretKey);
    } catch {
      // Checked when collected, so this is unexpected. The library's error is left out: its
      // message could quote the key.
      throw new SecretError(`the age key from ${identity.origin} is not usable`, { subject: context.file });
    }
  }
  try {
    return await decrypter.decrypt(encrypted);
  } catch (error) {
    if (error instanceof Error && error.message === NO_MATCH) return null;
    throw new SecretError(
      `the age entry for ${shortRecipient(context.recipient)} cannot be opened: ${error instanceof Error ? error.message : String(error)}`,
      { subject: context.file, cause: error },
    );
  }
}

/** Post-quantum recipients are ~2000 characters: keep messages readable. */
export function shortRecipient(recipient: string): string {
  return recipient.length > 90 ? `${recipient.slice(0, 16)}…${recipient.slice(-8)}` : recipient;
}
