// The sops data key from the real fixtures' age entries (unwrapped with age-encryption), the
// refusals and their messages, the hand-off to the sops binary, and Shamir key groups.
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  armor,
  Encrypter,
  generateHybridIdentity,
  generateX25519Identity,
  identityToRecipient,
} from "age-encryption";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SecretError } from "../../../src/errors.js";
import { unwrapAgeStanza } from "../../../src/secrets/keys/age-unwrap.js";
import { resolveDataKey, resolveDataKeyWithReason } from "../../../src/secrets/keys/data-key.js";
import { decryptWithSopsBinary } from "../../../src/secrets/keys/sops-binary.js";
import type { SopsMetadata } from "../../../src/secrets/sops/index.js";
import { expectedKey, fixture, fixtureMetadata, hex, secretKeyIn } from "./fixtures.js";
import { splitSecret } from "./split-secret.js";

let home: string;
beforeAll(async () => {
  home = await mkdtemp(path.join(tmpdir(), "croncd-datakey-"));
});
afterAll(async () => {
  await rm(home, { recursive: true, force: true });
});

/** An environment with only the given key variables, and a HOME without a default keys file. */
const envWith = (variables: Record<string, string>): NodeJS.ProcessEnv => ({ HOME: home, ...variables });

async function caught(promise: Promise<unknown>): Promise<SecretError> {
  const error = await promise.then(
    () => undefined,
    (failure: unknown) => failure,
  );
  expect(error).toBeInstanceOf(SecretError);
  return error as SecretError;
}

describe("resolveDataKey with age", () => {
  it.each([
    ["flux-kustomize-controller/algorithms-age.yaml", "flux-kustomize-controller/age.txt"],
    ["flux-kustomize-controller/algorithms-age-pq.yaml", "flux-kustomize-controller/age-pq.txt"],
    ["flux-kustomize-controller/global-secret.yaml", "flux-kustomize-controller/age-global.txt"],
    ["sops-nix/secrets.yaml", "sops-nix/age-keys.txt"],
    ["humphd-sops-age/secret.enc.yaml", "humphd-sops-age/key.txt"],
    ["humphd-sops-age/secret.enc.json", "humphd-sops-age/key.txt"],
    ["helm-secrets/secrets.age.yaml", "helm-secrets/key.txt"],
    ["terraform-provider-sops/basic.age0.yaml", "terraform-provider-sops/age0-key.txt"],
  ])("%s opens with %s to the data key in EXPECTED.json", async (file, keys) => {
    const metadata = await fixtureMetadata(file);
    const key = await resolveDataKey(metadata, { env: envWith({ SOPS_AGE_KEY_FILE: fixture(keys) }), file });
    expect(key).toBeInstanceOf(Uint8Array);
    expect(hex(key as Uint8Array)).toBe(expectedKey(file));
  });

  it("unwraps one entry directly: sops.age[0].enc of algorithms-age.yaml", async () => {
    const [stanza] = (await fixtureMetadata("flux-kustomize-controller/algorithms-age.yaml")).age;
    const secretKey = await secretKeyIn("flux-kustomize-controller/age.txt");
    const payload = await unwrapAgeStanza(stanza!.enc, [{ secretKey, kind: "x25519", origin: "test" }], {
      file: "f",
      recipient: stanza!.recipient,
    });
    expect(payload).toHaveLength(32);
    expect(hex(payload!)).toBe(expectedKey("flux-kustomize-controller/algorithms-age.yaml"));
    // Another key is no recipient: null, not an error.
    const other = await secretKeyIn("humphd-sops-age/key.txt");
    expect(
      await unwrapAgeStanza(stanza!.enc, [{ secretKey: other, kind: "x25519", origin: "test" }], {
        file: "f",
        recipient: stanza!.recipient,
      }),
    ).toBeNull();
  });

  it("tries every key from every source: the right one may come last", async () => {
    const file = "flux-kustomize-controller/algorithms-age.yaml";
    const wrong = await secretKeyIn("humphd-sops-age/key.txt");
    const pq = await secretKeyIn("flux-kustomize-controller/age-pq.txt");
    const key = await resolveDataKey(await fixtureMetadata(file), {
      env: envWith({
        SOPS_AGE_KEY: `${wrong} ${pq}`,
        SOPS_AGE_KEY_FILE: fixture("flux-kustomize-controller/age.txt"),
      }),
      file,
    });
    expect(hex(key as Uint8Array)).toBe(expectedKey(file));
  });

  it("runs SOPS_AGE_KEY_CMD once per recipient it tries, naming it in SOPS_AGE_RECIPIENT", async () => {
    // sops-nix/secrets.yaml has two age recipients; only the first one's key is published.
    // Reversed, the first recipient tried cannot be opened and the command runs again.
    const metadata = await fixtureMetadata("sops-nix/secrets.yaml");
    const reversed: SopsMetadata = { ...metadata, age: [...metadata.age].reverse() };
    const log = path.join(home, "recipients.log");
    const command = `sh -c 'echo "$SOPS_AGE_RECIPIENT" >> "$0"; cat "$1"' ${log} ${fixture("sops-nix/age-keys.txt")}`;
    const key = await resolveDataKey(reversed, { env: envWith({ SOPS_AGE_KEY_CMD: command }), file: "s" });
    expect(hex(key as Uint8Array)).toBe(expectedKey("sops-nix/secrets.yaml"));
    const lines = (await readFile(log, "utf8")).trim().split("\n");
    expect(lines).toEqual(reversed.age.map((stanza) => stanza.recipient));
  });
});

describe("resolveDataKey refusals", () => {
  const file = "flux-kustomize-controller/algorithms-age.yaml";

  it("no key anywhere: says where it looked", async () => {
    const error = await caught(resolveDataKey(await fixtureMetadata(file), { env: envWith({}), file }));
    expect(error.message).toContain(`${file}: no age key found to decrypt it`);
    expect(error.message).toContain(
      "it is encrypted for age age1l44xcng8dqj32nlv6d930qvvrny05hglzcv9qpc7kxjc6902ma4qufys29",
    );
    expect(error.message).toContain(
      "SOPS_AGE_KEY: not set; SOPS_AGE_KEY_FILE: not set; SOPS_AGE_KEY_CMD: not set",
    );
    expect(error.message).toContain(`${path.join(home, ".config/sops/age/keys.txt")}): does not exist`);
  });

  it("keys found but none opens it: the file's recipients and the keys' public keys, no private key", async () => {
    const wrong = await secretKeyIn("humphd-sops-age/key.txt");
    const error = await caught(
      resolveDataKey(await fixtureMetadata(file), { env: envWith({ SOPS_AGE_KEY: wrong }), file }),
    );
    expect(error.message).toContain(`${file}: none of the age keys found opens it`);
    expect(error.message).toContain("age1l44xcng8dqj32nlv6d930qvvrny05hglzcv9qpc7kxjc6902ma4qufys29");
    expect(error.message).toContain(
      "the age keys found are for age1je6kjhzuhdjy3fqptpttxjh5k8q46vygzlgtpuq3030c947pc5tqz9dqvr (SOPS_AGE_KEY line 1)",
    );
    expect(error.message).not.toContain("AGE-SECRET-KEY");
  });

  it("a failing SOPS_AGE_KEY_CMD is part of the message", async () => {
    const error = await caught(
      resolveDataKey(await fixtureMetadata(file), {
        env: envWith({ SOPS_AGE_KEY_CMD: "sh -c 'echo permission denied >&2; exit 7'" }),
        file,
      }),
    );
    expect(error.message).toContain("no age key found to decrypt it");
    expect(error.message).toContain("SOPS_AGE_KEY_CMD (sh) failed with exit code 7: permission denied");
  });

  it("a malformed key is part of the message, by variable and line", async () => {
    const error = await caught(
      resolveDataKey(await fixtureMetadata(file), {
        env: envWith({ SOPS_AGE_KEY: "# mine\nAGE-SECRET-KEY-1NOPE" }),
        file,
      }),
    );
    expect(error.message).toContain("SOPS_AGE_KEY line 2 is a malformed age identity");
    expect(error.message).not.toContain("NOPE");
  });

  it("a damaged age entry is an error, not 'wrong key'", async () => {
    const metadata = await fixtureMetadata(file);
    const damaged: SopsMetadata = {
      ...metadata,
      age: metadata.age.map((stanza) => ({ ...stanza, enc: stanza.enc.replace("YWdl", "YWdm") })),
    };
    const error = await caught(
      resolveDataKey(damaged, {
        env: envWith({ SOPS_AGE_KEY_FILE: fixture("flux-kustomize-controller/age.txt") }),
        file,
      }),
    );
    expect(error.message).toContain("the age entry for age1l44xcng8");
  });
});

describe("files age cannot open in-process", () => {
  it("a PGP-only file needs the sops binary; without it the message names the fingerprint", async () => {
    const file = "sops-nix/secrets.json";
    const metadata = await fixtureMetadata(file);
    const env = envWith({
      SOPS_AGE_KEY_FILE: fixture("sops-nix/age-keys.txt"),
      PATH: path.join(home, "no-sops"),
    });
    expect(await resolveDataKey(metadata, { env, file })).toBe("needs-sops-binary");
    const resolution = await resolveDataKeyWithReason(metadata, { env, file });
    expect(resolution).toEqual({ needsSopsBinary: true, reason: "it has no age recipient" });
    const error = await caught(
      decryptWithSopsBinary(fixture(file), {
        env,
        format: "json",
        metadata,
        ageReason: "it has no age recipient",
      }),
    );
    expect(error.message).toContain(
      "it is encrypted for PGP 7FB89715AADA920D65D25E63F9BA9DEBD03F57C0 and no age key croncd can use opens it: this needs the sops binary, which is not on PATH",
    );
    expect(error.message).toContain("install sops (https://github.com/getsops/sops/releases)");
    expect(error.message).toContain("gpg holding the secret key 7FB89715AADA920D65D25E63F9BA9DEBD03F57C0");
  });

  it("age and PGP recipients, no matching age key: the sops binary's turn (PGP may open it)", async () => {
    const metadata = await fixtureMetadata("sops-nix/secrets.yaml");
    const resolution = await resolveDataKeyWithReason(metadata, { env: envWith({}), file: "s" });
    expect(resolution).toMatchObject({ needsSopsBinary: true });
    expect((resolution as { reason: string }).reason).toContain("SOPS_AGE_KEY: not set");
  });

  it("KMS, Vault and SSH or plugin age recipients go to the sops binary too", async () => {
    const base = await fixtureMetadata("flux-kustomize-controller/algorithms-age.yaml");
    const env = envWith({});
    const kms: SopsMetadata = { ...base, age: [], otherKeyTypes: ["kms", "hc_vault"] };
    expect(await resolveDataKey(kms, { env, file: "k" })).toBe("needs-sops-binary");
    const ssh: SopsMetadata = { ...base, age: [{ recipient: "ssh-ed25519 AAAAC3Nza", enc: "x" }] };
    expect(await resolveDataKey(ssh, { env, file: "k" })).toBe("needs-sops-binary");
    const plugin: SopsMetadata = { ...base, age: [{ recipient: "age1yubikey1qqqq", enc: "x" }] };
    expect(await resolveDataKey(plugin, { env, file: "k" })).toBe("needs-sops-binary");
    const error = await caught(
      decryptWithSopsBinary("k", {
        env: { ...env, PATH: "/nonexistent" },
        format: "yaml",
        metadata: kms,
        ageReason: "r",
      }),
    );
    expect(error.message).toContain("it is encrypted for AWS KMS, HashiCorp Vault and no age key");
  });
});

describe("key groups (Shamir)", () => {
  const knownKey = Buffer.from(expectedKey("flux-kustomize-controller/algorithms-age.yaml"), "hex");
  let identities: string[];
  let metadata: SopsMetadata;

  beforeAll(async () => {
    // Three groups, any two of which rebuild the key: each share wrapped for its own recipient,
    // the way sops writes it (an armored age file per key).
    identities = [
      await generateX25519Identity(),
      await generateHybridIdentity(),
      await generateX25519Identity(),
    ];
    const shares = splitSecret(knownKey, 3, 2);
    const groups = await Promise.all(
      identities.map(async (identity, index) => {
        const recipient = await identityToRecipient(identity);
        const encrypter = new Encrypter();
        encrypter.addRecipient(recipient);
        const enc = armor.encode(await encrypter.encrypt(shares[index]!));
        return { age: [{ recipient, enc }], pgp: [], otherKeyTypes: [] };
      }),
    );
    const base = await fixtureMetadata("flux-kustomize-controller/algorithms-age.yaml");
    metadata = { ...base, age: [], pgp: [], otherKeyTypes: [], keyGroups: groups, shamirThreshold: 2 };
  });

  it("rebuilds the data key from any two groups", async () => {
    for (const pair of [
      [0, 1],
      [0, 2],
      [1, 2],
    ]) {
      const keys = pair.map((index) => identities[index]).join("\n");
      const key = await resolveDataKey(metadata, { env: envWith({ SOPS_AGE_KEY: keys }), file: "g" });
      expect(Buffer.from(key as Uint8Array).equals(knownKey)).toBe(true);
    }
  });

  it("one group is not enough", async () => {
    const error = await caught(
      resolveDataKey(metadata, { env: envWith({ SOPS_AGE_KEY: identities[1]! }), file: "g" }),
    );
    expect(error.message).toContain(
      "g: only 1 of its 3 key groups could be opened with age, and 2 are needed (shamir_threshold)",
    );
    expect(error.message).not.toContain("AGE-SECRET-KEY");
  });

  it("a group the sops binary might open (PGP) makes it the sops binary's turn", async () => {
    const withPgp: SopsMetadata = {
      ...metadata,
      keyGroups: [
        metadata.keyGroups[0]!,
        { age: [], pgp: [{ fp: "7FB89715AADA920D65D25E63F9BA9DEBD03F57C0", enc: "x" }], otherKeyTypes: [] },
      ],
    };
    expect(await resolveDataKey(withPgp, { env: envWith({ SOPS_AGE_KEY: identities[0]! }), file: "g" })).toBe(
      "needs-sops-binary",
    );
  });

  it("a single group holds the whole key: a 33-byte share there is refused", async () => {
    const single: SopsMetadata = {
      ...metadata,
      keyGroups: [metadata.keyGroups[0]!],
      shamirThreshold: undefined,
    };
    const error = await caught(
      resolveDataKey(single, { env: envWith({ SOPS_AGE_KEY: identities[0]! }), file: "g" }),
    );
    expect(error.message).toContain("the data key opened with age is 33 bytes long, not 32");
  });
});

describe("the sops binary's private output directory", () => {
  it("is removed again when sops is missing", async () => {
    const before = new Set(await readdir(tmpdir()));
    const metadata = await fixtureMetadata("sops-nix/secrets.json");
    await caught(
      decryptWithSopsBinary(fixture("sops-nix/secrets.json"), {
        env: { PATH: "/nonexistent" },
        format: "json",
        metadata,
        ageReason: "r",
      }),
    );
    const left = (await readdir(tmpdir())).filter(
      (name) => name.startsWith("croncd-sops-") && !before.has(name),
    );
    expect(left).toEqual([]);
  });
});
