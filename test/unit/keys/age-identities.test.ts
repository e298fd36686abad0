// Where age keys come from: every source sops reads, with sops's rules (getsops/sops
// age/keysource.go `loadIdentities`). Real files in temp dirs and real commands.
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  collectAgeIdentities,
  userConfigDir,
  type AgeIdentities,
} from "../../../src/secrets/keys/age-identities.js";
import { secretKeyIn } from "./fixtures.js";

const ALL_KEY_VARIABLES = ["SOPS_AGE_KEY", "SOPS_AGE_KEY_FILE", "SOPS_AGE_KEY_CMD"];

/** Nothing about the places or problems may quote a private key. */
function expectNoSecretIn(found: AgeIdentities): void {
  const { places, problems, plugins, protectedFiles } = found;
  expect(JSON.stringify({ places, problems, plugins, protectedFiles })).not.toMatch(/AGE-SECRET-KEY/);
}

describe("collectAgeIdentities", () => {
  let dir: string;
  let keyA: string; // flux-kustomize-controller/age.txt (X25519)
  let keyB: string; // humphd-sops-age/key.txt (X25519)
  let keyPq: string; // flux-kustomize-controller/age-pq.txt (post-quantum)
  /** HOME without a default keys file, so the machine's own keys never leak into a test. */
  let emptyHome: string;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "croncd-keys-"));
    emptyHome = path.join(dir, "home");
    await mkdir(emptyHome);
    keyA = await secretKeyIn("flux-kustomize-controller/age.txt");
    keyB = await secretKeyIn("humphd-sops-age/key.txt");
    keyPq = await secretKeyIn("flux-kustomize-controller/age-pq.txt");
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const origins = (found: AgeIdentities) => found.identities.map((identity) => identity.origin);

  it("finds nothing when nothing is set, and says where it looked", async () => {
    const found = await collectAgeIdentities({ env: { HOME: emptyHome }, platform: "linux" });
    expect(found.identities).toEqual([]);
    expect(found.problems).toEqual([]);
    const defaultFile = path.join(emptyHome, ".config/sops/age/keys.txt");
    expect(found.places).toEqual([
      "SOPS_AGE_KEY: not set",
      "SOPS_AGE_KEY_FILE: not set",
      "SOPS_AGE_KEY_CMD: not set",
      `~/.config/sops/age/keys.txt (${defaultFile}): does not exist`,
    ]);
  });

  it("SOPS_AGE_KEY: several keys, one or more per line; comments and blank lines skipped", async () => {
    const value = `# my keys\n\n${keyA}\n   \n${keyB}\t${keyPq}\n`;
    const found = await collectAgeIdentities({ env: { HOME: emptyHome, SOPS_AGE_KEY: value } });
    expect(found.identities.map((identity) => identity.secretKey)).toEqual([keyA, keyB, keyPq]);
    expect(found.identities.map((identity) => identity.kind)).toEqual(["x25519", "x25519", "post-quantum"]);
    expect(origins(found)).toEqual(["SOPS_AGE_KEY line 3", "SOPS_AGE_KEY line 5", "SOPS_AGE_KEY line 5"]);
    expect(found.places[0]).toBe("SOPS_AGE_KEY: 3 keys");
  });

  it("SOPS_AGE_KEY_FILE: one key per line, CRLF line ends accepted", async () => {
    const file = path.join(dir, "keys.txt");
    await writeFile(file, `# created: 2021-03-31\r\n# public key: age1…\r\n${keyA}\r\n${keyPq}\r\n`);
    const found = await collectAgeIdentities({ env: { HOME: emptyHome, SOPS_AGE_KEY_FILE: file } });
    expect(found.identities.map((identity) => identity.secretKey)).toEqual([keyA, keyPq]);
    expect(origins(found)).toEqual([
      `SOPS_AGE_KEY_FILE (${file}) line 3`,
      `SOPS_AGE_KEY_FILE (${file}) line 4`,
    ]);
    expectNoSecretIn(found);
  });

  it("SOPS_AGE_KEY_FILE naming a missing file is a problem, not silence", async () => {
    const file = path.join(dir, "nope.txt");
    const found = await collectAgeIdentities({ env: { HOME: emptyHome, SOPS_AGE_KEY_FILE: file } });
    expect(found.identities).toEqual([]);
    expect(found.problems).toEqual([`SOPS_AGE_KEY_FILE (${file}) cannot be read: does not exist`]);
  });

  it("the default file: $XDG_CONFIG_HOME/sops/age/keys.txt", async () => {
    const xdg = path.join(dir, "xdg");
    await mkdir(path.join(xdg, "sops", "age"), { recursive: true });
    await writeFile(path.join(xdg, "sops", "age", "keys.txt"), `${keyA}\n`);
    const found = await collectAgeIdentities({
      env: { HOME: emptyHome, XDG_CONFIG_HOME: xdg },
      platform: "linux",
    });
    expect(origins(found)).toEqual([
      `$XDG_CONFIG_HOME/sops/age/keys.txt (${path.join(xdg, "sops/age/keys.txt")}) line 1`,
    ]);
  });

  it("the default file without XDG_CONFIG_HOME (or with it empty): ~/.config/sops/age/keys.txt", async () => {
    await mkdir(path.join(dir, "h", ".config", "sops", "age"), { recursive: true });
    await writeFile(path.join(dir, "h", ".config", "sops", "age", "keys.txt"), `${keyB}\n`);
    for (const env of [{ HOME: path.join(dir, "h") }, { HOME: path.join(dir, "h"), XDG_CONFIG_HOME: "" }]) {
      const found = await collectAgeIdentities({ env, platform: "linux" });
      expect(found.identities.map((identity) => identity.secretKey)).toEqual([keyB]);
    }
  });

  it("locates the user config dir like Go's os.UserConfigDir (with sops's macOS exception)", () => {
    expect(userConfigDir({ XDG_CONFIG_HOME: "/x", HOME: "/h" }, "linux")).toEqual({
      dir: "/x",
      via: "$XDG_CONFIG_HOME",
    });
    expect(userConfigDir({ HOME: "/h" }, "linux")).toEqual({ dir: "/h/.config", via: "~/.config" });
    expect(userConfigDir({ XDG_CONFIG_HOME: "rel", HOME: "/h" }, "linux")).toEqual({
      problem: "the path in $XDG_CONFIG_HOME is relative",
    });
    expect(userConfigDir({}, "linux")).toEqual({ problem: "neither $XDG_CONFIG_HOME nor $HOME is defined" });
    expect(userConfigDir({ XDG_CONFIG_HOME: "/x", HOME: "/h" }, "darwin")).toEqual({
      dir: "/x",
      via: "$XDG_CONFIG_HOME",
    });
    expect(userConfigDir({ HOME: "/h" }, "darwin")).toEqual({
      dir: "/h/Library/Application Support",
      via: "~/Library/Application Support",
    });
    expect(userConfigDir({ AppData: "C:\\Users\\u\\AppData\\Roaming" }, "win32")).toMatchObject({
      via: "%AppData%",
    });
  });

  it("an unusable config dir is reported only when no other source is set (as sops does)", async () => {
    const alone = await collectAgeIdentities({ env: { XDG_CONFIG_HOME: "relative" }, platform: "linux" });
    expect(alone.problems).toEqual([
      "the default keys file cannot be located: the path in $XDG_CONFIG_HOME is relative",
    ]);
    const withKey = await collectAgeIdentities({
      env: { XDG_CONFIG_HOME: "relative", SOPS_AGE_KEY: keyA },
      platform: "linux",
    });
    expect(withKey.problems).toEqual([]);
    expect(withKey.identities).toHaveLength(1);
  });

  it("reads every source; none hides another (sops tries all keys it finds)", async () => {
    const file = path.join(dir, "file-keys.txt");
    await writeFile(file, `${keyB}\n`);
    const cmdKeys = path.join(dir, "cmd-keys.txt");
    await writeFile(cmdKeys, `${keyPq}\n`);
    const xdg = path.join(dir, "xdg");
    await mkdir(path.join(xdg, "sops", "age"), { recursive: true });
    await writeFile(path.join(xdg, "sops", "age", "keys.txt"), `${keyA}\n`);
    const found = await collectAgeIdentities({
      env: {
        HOME: emptyHome,
        XDG_CONFIG_HOME: xdg,
        SOPS_AGE_KEY: keyA,
        SOPS_AGE_KEY_FILE: file,
        SOPS_AGE_KEY_CMD: `cat ${cmdKeys}`,
      },
      platform: "linux",
    });
    expect(origins(found)).toEqual([
      "SOPS_AGE_KEY line 1",
      `SOPS_AGE_KEY_FILE (${file}) line 1`,
      "SOPS_AGE_KEY_CMD line 1",
      `$XDG_CONFIG_HOME/sops/age/keys.txt (${path.join(xdg, "sops/age/keys.txt")}) line 1`,
    ]);
  });

  it("a set but empty SOPS_AGE_KEY counts as set, and holds no keys", async () => {
    const found = await collectAgeIdentities({ env: { HOME: emptyHome, SOPS_AGE_KEY: "" } });
    expect(found.places[0]).toBe("SOPS_AGE_KEY: no keys");
  });

  describe("a malformed key", () => {
    it("names the variable and the line, never the content, and drops that source only", async () => {
      const broken = `${keyB.slice(0, -1)}${keyB.endsWith("q") ? "p" : "q"}`; // bad checksum
      const file = path.join(dir, "keys.txt");
      await writeFile(file, `${keyA}\n`);
      const found = await collectAgeIdentities({
        env: { HOME: emptyHome, SOPS_AGE_KEY: `# comment\n${keyPq}\n${broken}\n`, SOPS_AGE_KEY_FILE: file },
      });
      expect(found.problems).toEqual([
        "SOPS_AGE_KEY line 3 is a malformed age identity (bad checksum, length or case); no key from SOPS_AGE_KEY is used",
      ]);
      // sops drops the whole source (the good key on line 2 too), and keeps the other sources.
      expect(found.identities.map((identity) => identity.secretKey)).toEqual([keyA]);
      expect(JSON.stringify(found.problems)).not.toContain(broken.slice(20, 40));
      expectNoSecretIn(found);
    });

    it("something that is no age key at all", async () => {
      const found = await collectAgeIdentities({
        env: { HOME: emptyHome, SOPS_AGE_KEY: "hunter2-password" },
      });
      expect(found.problems).toEqual([
        "SOPS_AGE_KEY line 1 is not an age identity (expected AGE-SECRET-KEY-1… or AGE-SECRET-KEY-PQ-1…); no key from SOPS_AGE_KEY is used",
      ]);
      expect(JSON.stringify(found)).not.toContain("hunter2");
    });

    it("nothing is trimmed in a keys file: a trailing space makes the line malformed, as in sops", async () => {
      const file = path.join(dir, "keys.txt");
      await writeFile(file, `${keyA} \n`);
      const found = await collectAgeIdentities({ env: { HOME: emptyHome, SOPS_AGE_KEY_FILE: file } });
      expect(found.identities).toEqual([]);
      expect(found.problems[0]).toContain(`SOPS_AGE_KEY_FILE (${file}) line 1 is a malformed age identity`);
    });

    it("a lower-case key is not an age identity (sops matches the upper-case prefix)", async () => {
      const found = await collectAgeIdentities({
        env: { HOME: emptyHome, SOPS_AGE_KEY: keyA.toLowerCase() },
      });
      expect(found.problems[0]).toContain("SOPS_AGE_KEY line 1 is not an age identity");
    });
  });

  it("post-quantum identities (AGE-SECRET-KEY-PQ-1…) are read as such", async () => {
    const found = await collectAgeIdentities({ env: { HOME: emptyHome, SOPS_AGE_KEY: keyPq } });
    expect(found.identities).toEqual([
      { secretKey: keyPq, kind: "post-quantum", origin: "SOPS_AGE_KEY line 1" },
    ]);
  });

  it("age plugin identities and passphrase-protected key files are noted for the sops binary", async () => {
    const file = path.join(dir, "protected.txt");
    await writeFile(file, "-----BEGIN AGE ENCRYPTED FILE-----\nYWdl\n-----END AGE ENCRYPTED FILE-----\n");
    const found = await collectAgeIdentities({
      env: {
        HOME: emptyHome,
        SOPS_AGE_KEY: "AGE-PLUGIN-YUBIKEY-1QQQQQQQQQQQQQQQQQQQQQQQQQQQQ",
        SOPS_AGE_KEY_FILE: file,
      },
    });
    expect(found.identities).toEqual([]);
    expect(found.plugins).toEqual(["SOPS_AGE_KEY line 1"]);
    expect(found.protectedFiles).toEqual([`SOPS_AGE_KEY_FILE (${file})`]);
  });

  describe("SOPS_AGE_KEY_CMD", () => {
    it("runs the command without a shell, split like sops splits it, with SOPS_AGE_RECIPIENT set", async () => {
      const seen = path.join(dir, "recipient seen.txt");
      const keys = path.join(dir, "keys.txt");
      await writeFile(keys, `# from a vault\n${keyA}\n`);
      const command = `sh -c 'printf "%s" "$SOPS_AGE_RECIPIENT" > "$0"; cat "$1"' "${seen}" ${keys}`;
      const found = await collectAgeIdentities(
        { env: { HOME: emptyHome, SOPS_AGE_KEY_CMD: command } },
        "age1xyz",
      );
      expect(found.problems).toEqual([]);
      expect(found.identities).toEqual([
        { secretKey: keyA, kind: "x25519", origin: "SOPS_AGE_KEY_CMD line 2" },
      ]);
      expect(await readFile(seen, "utf8")).toBe("age1xyz");
    });

    it("a failing command: its exit code and stderr", async () => {
      const found = await collectAgeIdentities({
        env: { HOME: emptyHome, SOPS_AGE_KEY_CMD: "sh -c 'echo vault is sealed >&2; exit 3'" },
      });
      expect(found.identities).toEqual([]);
      expect(found.problems).toEqual(["SOPS_AGE_KEY_CMD (sh) failed with exit code 3: vault is sealed"]);
      expect(found.places).toContain("SOPS_AGE_KEY_CMD: failed");
    });

    it("a command that is not installed, an empty one, an unclosed quote", async () => {
      const run = (command: string) =>
        collectAgeIdentities({ env: { HOME: emptyHome, SOPS_AGE_KEY_CMD: command } }).then((f) => f.problems);
      expect(await run("croncd-no-such-program --x")).toEqual([
        "SOPS_AGE_KEY_CMD: croncd-no-such-program was not found on PATH",
      ]);
      expect(await run("  ")).toEqual(["SOPS_AGE_KEY_CMD is set but holds no command"]);
      expect(await run("echo 'oops")).toEqual([
        "SOPS_AGE_KEY_CMD cannot be split into words: a quote is not closed",
      ]);
    });

    it("output that is not keys is a malformed source, by line", async () => {
      const found = await collectAgeIdentities({
        env: { HOME: emptyHome, SOPS_AGE_KEY_CMD: "printf 'not-a-key\\n'" },
      });
      expect(found.problems).toEqual([
        "SOPS_AGE_KEY_CMD line 1 is not an age identity (expected AGE-SECRET-KEY-1… or AGE-SECRET-KEY-PQ-1…); no key from SOPS_AGE_KEY_CMD is used",
      ]);
    });
  });

  it("never reads process.env", async () => {
    const saved = Object.fromEntries(ALL_KEY_VARIABLES.map((name) => [name, process.env[name]]));
    process.env.SOPS_AGE_KEY = keyA;
    try {
      const found = await collectAgeIdentities({ env: { HOME: emptyHome } });
      expect(found.identities).toEqual([]);
    } finally {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });
});
