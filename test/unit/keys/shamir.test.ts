// Shamir's secret sharing over GF(2^8), as sops's `shamir` package does it for key groups.
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { combineShares, gfMultiply } from "../../../src/secrets/keys/shamir.js";
import { splitSecret } from "./split-secret.js";

describe("GF(2^8) with the AES polynomial", () => {
  it("matches the worked examples of FIPS-197 §4.2", () => {
    expect(gfMultiply(0x57, 0x83)).toBe(0xc1);
    expect(gfMultiply(0x57, 0x13)).toBe(0xfe);
    expect(gfMultiply(0x57, 0x02)).toBe(0xae);
    expect(gfMultiply(0xae, 0x02)).toBe(0x47); // reduced by 0x11B
  });

  it("is commutative, has 1 as identity and 0 as absorbing element", () => {
    for (let a = 0; a < 256; a += 1) {
      expect(gfMultiply(a, 1)).toBe(a);
      expect(gfMultiply(a, 0)).toBe(0);
      for (let b = 0; b < 256; b += 17) expect(gfMultiply(a, b)).toBe(gfMultiply(b, a));
    }
  });
});

describe("combineShares", () => {
  it("a hand-computed share pair: f(x) = 0x42 + 0x57·x", () => {
    // f(1) = 0x42 ^ 0x57 = 0x15; f(2) = 0x42 ^ (0x57·2 = 0xae) = 0xec.
    expect([...combineShares([Uint8Array.of(0x15, 1), Uint8Array.of(0xec, 2)])]).toEqual([0x42]);
    expect([...combineShares([Uint8Array.of(0xec, 2), Uint8Array.of(0x15, 1)])]).toEqual([0x42]);
  });

  it("rebuilds a 32-byte key from any `threshold` of the shares, and from all of them", () => {
    const key = randomBytes(32);
    const shares = splitSecret(key, 5, 3);
    expect(shares.every((share) => share.length === 33)).toBe(true);
    for (let i = 0; i < 5; i += 1)
      for (let j = i + 1; j < 5; j += 1)
        for (let k = j + 1; k < 5; k += 1) {
          const picked = [shares[i], shares[j], shares[k]] as Uint8Array[];
          expect(Buffer.from(combineShares(picked)).equals(key)).toBe(true);
        }
    expect(Buffer.from(combineShares(shares)).equals(key)).toBe(true);
    // Below the threshold the result is just some other bytes.
    expect(Buffer.from(combineShares(shares.slice(0, 2))).equals(key)).toBe(false);
  });

  it("refuses what cannot be combined", () => {
    expect(() => combineShares([Uint8Array.of(1, 1)])).toThrow("at least two shares");
    expect(() => combineShares([Uint8Array.of(1, 1), Uint8Array.of(1, 2, 3)])).toThrow("differ in length");
    expect(() => combineShares([Uint8Array.of(1), Uint8Array.of(2)])).toThrow("at least two bytes");
    expect(() => combineShares([Uint8Array.of(1, 1), Uint8Array.of(2, 1)])).toThrow("same x coordinate");
  });
});
