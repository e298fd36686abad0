/**
 * Shamir's secret sharing as sops uses it for `key_groups` (getsops/sops `shamir/`, a fork of
 * Vault's). With several key groups, sops splits the 32-byte data key into one share per group,
 * and any `shamir_threshold` shares rebuild it.
 *
 * - Arithmetic is in GF(2^8) with the AES polynomial x^8 + x^4 + x^3 + x + 1 (0x11B).
 * - Each byte of the key is the constant term of its own random polynomial.
 * - A share is the polynomial values for every byte, followed by one byte: the share's x
 *   coordinate (1 for the first group, 2 for the second…). That makes 33 bytes.
 * - Combining evaluates the Lagrange interpolation at x = 0 over all shares given.
 */

/** Multiplication in GF(2^8) modulo 0x11B (shift-and-add, reducing as the product grows). */
export function gfMultiply(a: number, b: number): number {
  let product = 0;
  let x = a & 0xff;
  let y = b & 0xff;
  while (y !== 0) {
    if (y & 1) product ^= x;
    y >>= 1;
    x <<= 1;
    if (x & 0x100) x ^= 0x11b;
  }
  return product;
}

/** The multiplicative inverse: a^254, since a^255 = 1 for every non-zero a. */
function gfInverse(a: number): number {
  let result = 1;
  let base = a;
  for (let exponent = 254; exponent > 0; exponent >>= 1) {
    if (exponent & 1) result = gfMultiply(result, base);
    base = gfMultiply(base, base);
  }
  return result;
}

export class ShamirError extends Error {}

/** Rebuilds the secret from shares laid out as sops writes them (values…, x). */
export function combineShares(shares: readonly Uint8Array[]): Uint8Array {
  if (shares.length < 2) throw new ShamirError("at least two shares are needed");
  const length = shares[0]?.length ?? 0;
  if (length < 2) throw new ShamirError("a share must be at least two bytes long");
  if (shares.some((share) => share.length !== length)) throw new ShamirError("the shares differ in length");
  const xs = shares.map((share) => share[length - 1] as number);
  if (new Set(xs).size !== xs.length) throw new ShamirError("two shares have the same x coordinate");

  // Lagrange basis at 0: l_i(0) = Π_{j≠i} x_j / (x_i − x_j); subtraction is XOR in GF(2^8).
  const basis = xs.map((xi, i) => {
    let value = 1;
    xs.forEach((xj, j) => {
      if (j !== i) value = gfMultiply(value, gfMultiply(xj, gfInverse(xi ^ xj)));
    });
    return value;
  });
  const secret = new Uint8Array(length - 1);
  for (let byte = 0; byte < secret.length; byte += 1) {
    let value = 0;
    shares.forEach((share, i) => {
      value ^= gfMultiply(share[byte] as number, basis[i] as number);
    });
    secret[byte] = value;
  }
  return secret;
}
