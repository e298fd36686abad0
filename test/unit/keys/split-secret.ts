import { randomBytes } from "node:crypto";
import { gfMultiply } from "../../../src/secrets/keys/shamir.js";

/**
 * Test-only split, laid out as sops writes shares: one random polynomial per secret byte, the
 * values at x = 1..parts, and x as the share's last byte.
 */
export function splitSecret(secret: Uint8Array, parts: number, threshold: number): Uint8Array[] {
  const shares = Array.from({ length: parts }, (_, index) => {
    const share = new Uint8Array(secret.length + 1);
    share[secret.length] = index + 1;
    return share;
  });
  secret.forEach((byte, position) => {
    const coefficients = [byte, ...randomBytes(threshold - 1)];
    shares.forEach((share, index) => {
      const x = index + 1;
      // Horner's rule, highest coefficient first.
      let y = 0;
      for (let power = coefficients.length - 1; power >= 0; power -= 1) {
        y = gfMultiply(y, x) ^ (coefficients[power] as number);
      }
      share[position] = y;
    });
  });
  return shares;
}
