/**
 * Checks an age identity's Bech32 encoding (BIP 173: the original checksum, not Bech32m) without
 * using the key, and says how many bytes it encodes. age identities are upper case, and Bech32
 * forbids mixed case.
 *
 * Checking is all this does. It costs microseconds, where building an identity in age-encryption
 * derives its public key (an X25519 multiplication).
 */
const CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
const GENERATOR = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];

function polymod(values: readonly number[]): number {
  let checksum = 1;
  for (const value of values) {
    const top = checksum >>> 25;
    checksum = ((checksum & 0x1ffffff) << 5) ^ value;
    GENERATOR.forEach((generator, bit) => {
      if ((top >>> bit) & 1) checksum ^= generator;
    });
  }
  return checksum >>> 0;
}

/** The decoded payload length in bytes, or undefined when `text` is not valid Bech32 with `prefix`. */
export function bech32PayloadLength(text: string, prefix: string): number | undefined {
  if (text !== text.toUpperCase() && text !== text.toLowerCase()) return undefined;
  const lower = text.toLowerCase();
  const separator = lower.lastIndexOf("1");
  if (separator < 1 || lower.slice(0, separator) !== prefix.toLowerCase()) return undefined;
  const data: number[] = [];
  for (const char of lower.slice(separator + 1)) {
    const value = CHARSET.indexOf(char);
    if (value === -1) return undefined;
    data.push(value);
  }
  if (data.length < 6) return undefined;
  const hrp = [...lower.slice(0, separator)].map((char) => char.charCodeAt(0));
  const expanded = [...hrp.map((code) => code >>> 5), 0, ...hrp.map((code) => code & 31)];
  if (polymod([...expanded, ...data]) !== 1) return undefined;
  // 5-bit groups to bytes: leftover bits must be fewer than 5 and all zero.
  const words = data.slice(0, -6);
  const bits = words.length * 5;
  const leftover = bits % 8;
  if (
    leftover >= 5 ||
    (words.length > 0 && ((words[words.length - 1] as number) & ((1 << leftover) - 1)) !== 0)
  )
    return undefined;
  return Math.floor(bits / 8);
}
