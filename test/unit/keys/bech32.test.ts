// The Bech32 check of age identities, against age-encryption's own parsing of the same strings.
import { Decrypter, generateHybridIdentity, generateX25519Identity } from "age-encryption";
import { describe, expect, it } from "vitest";
import { bech32PayloadLength } from "../../../src/secrets/keys/bech32.js";
import { secretKeyIn } from "./fixtures.js";

const prefixOf = (key: string) =>
  key.startsWith("AGE-SECRET-KEY-PQ-1") ? "AGE-SECRET-KEY-PQ-" : "AGE-SECRET-KEY-";
const CHARSET = "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L";

function libraryAccepts(key: string): boolean {
  try {
    new Decrypter().addIdentity(key);
    return true;
  } catch {
    return false;
  }
}

describe("bech32PayloadLength", () => {
  it("accepts the fixtures' keys: 32 bytes each", async () => {
    for (const file of [
      "flux-kustomize-controller/age.txt",
      "flux-kustomize-controller/age-pq.txt",
      "sops-nix/age-keys.txt",
    ]) {
      const key = await secretKeyIn(file);
      expect(bech32PayloadLength(key, prefixOf(key))).toBe(32);
    }
  });

  it("refuses mixed case, a wrong prefix, characters outside the alphabet, a short string", async () => {
    const key = await secretKeyIn("flux-kustomize-controller/age.txt");
    expect(bech32PayloadLength(key.toLowerCase(), "AGE-SECRET-KEY-")).toBe(32);
    expect(
      bech32PayloadLength(`${key.slice(0, -1)}${key.slice(-1).toLowerCase()}`, "AGE-SECRET-KEY-"),
    ).toBeUndefined();
    expect(bech32PayloadLength(key, "AGE-SECRET-KEY-PQ-")).toBeUndefined();
    expect(bech32PayloadLength(`${key.slice(0, -1)}B`, "AGE-SECRET-KEY-")).toBeUndefined();
    expect(bech32PayloadLength("AGE-SECRET-KEY-1QQQ", "AGE-SECRET-KEY-")).toBeUndefined();
  });

  it("agrees with age-encryption on fresh keys and on every one-character change of them", async () => {
    const keys = [await generateX25519Identity(), await generateHybridIdentity()];
    for (const key of keys) {
      const prefix = prefixOf(key);
      expect(bech32PayloadLength(key, prefix)).toBe(32);
      for (let position = prefix.length + 1; position < key.length; position += 1) {
        const replacement = CHARSET[
          (CHARSET.indexOf(key[position] as string) + 7) % CHARSET.length
        ] as string;
        const changed = `${key.slice(0, position)}${replacement}${key.slice(position + 1)}`;
        expect(bech32PayloadLength(changed, prefix) === 32, `position ${position}`).toBe(
          libraryAccepts(changed),
        );
      }
      // One character more or less changes the length.
      expect(libraryAccepts(key.slice(0, -1))).toBe(false);
      expect(bech32PayloadLength(key.slice(0, -1), prefix)).not.toBe(32);
    }
  });
});
