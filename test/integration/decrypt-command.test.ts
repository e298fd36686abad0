// `croncd decrypt FILE`: the real built CLI on the real sops fixtures (written by the real sops,
// see test/fixtures/sops/README.md), with the keys in each place sops reads them. The output is
// compared with EXPECTED.json, value by value, in the file's own format.
import { existsSync, readFileSync } from "node:fs";
import { chmod, copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import { isMap, isScalar, isSeq, parseDocument, type Node } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCroncd, type CroncdResult } from "../helpers/croncd.js";

const FIXTURES = fileURLToPath(new URL("../fixtures/sops/", import.meta.url));
const CLI = fileURLToPath(new URL("../../bin/croncd.js", import.meta.url));
const fixture = (name: string) => path.join(FIXTURES, name);

interface Expected {
  format: string;
  datakey_via: string;
  entries: [string, "value" | "comment" | "null", boolean, unknown][];
}
const EXPECTED = JSON.parse(readFileSync(fixture("EXPECTED.json"), "utf8")) as Record<string, Expected>;

/** Every age-encrypted fixture and the key file that opens it. */
const AGE_FIXTURES: [file: string, keys: string][] = [
  ["sops-nix/secrets.yaml", "sops-nix/age-keys.txt"],
  ["humphd-sops-age/secret.enc.yaml", "humphd-sops-age/key.txt"],
  ["humphd-sops-age/secret.enc.json", "humphd-sops-age/key.txt"],
  ["humphd-sops-age/secret.enc.env", "humphd-sops-age/key.txt"],
  ["flux-kustomize-controller/algorithms-age.yaml", "flux-kustomize-controller/age.txt"],
  ["flux-kustomize-controller/global-secret.yaml", "flux-kustomize-controller/age-global.txt"],
  ["flux-kustomize-controller/algorithms-age-pq.yaml", "flux-kustomize-controller/age-pq.txt"],
  ["flux-kustomize-controller/envs-env.env", "flux-kustomize-controller/age.txt"],
  ["flux-kustomize-controller/files-file.txt", "flux-kustomize-controller/age.txt"],
  ["helm-secrets/secrets.age.yaml", "helm-secrets/key.txt"],
  ["terraform-provider-sops/basic.age0.yaml", "terraform-provider-sops/age0-key.txt"],
];

/** `[aad, value]` of every leaf of decrypted output, in document order, as EXPECTED.json lists them. */
function leaves(output: string, format: string): [string, unknown][] {
  if (format === "binary") return [["data:", output]];
  if (format === "dotenv") {
    return output
      .split("\n")
      .filter((line) => line !== "" && !line.startsWith("#"))
      .map((line) => {
        const equals = line.indexOf("=");
        return [`${line.slice(0, equals)}:`, line.slice(equals + 1).replaceAll("\\n", "\n")];
      });
  }
  const found: [string, unknown][] = [];
  if (format === "json") {
    // sops indents JSON with tabs, which YAML parsers refuse; the JSON fixtures have no
    // integer-like keys, whose order a JavaScript object would change.
    const walkJson = (value: unknown, keys: string[]) => {
      if (Array.isArray(value)) for (const item of value) walkJson(item, keys);
      else if (value !== null && typeof value === "object")
        for (const [key, item] of Object.entries(value)) walkJson(item, [...keys, key]);
      else found.push([`${keys.join(":")}:`, value]);
    };
    walkJson(JSON.parse(output), []);
    return found;
  }
  const walk = (node: unknown, keys: string[]) => {
    if (isMap(node)) {
      for (const pair of node.items)
        walk(pair.value, [...keys, String((pair.key as Node & { value: unknown }).value)]);
    } else if (isSeq(node)) {
      // sops puts no index into the path of a list item.
      for (const item of node.items) walk(item, keys);
    } else if (isScalar(node)) {
      found.push([`${keys.join(":")}:`, node.value]);
    }
  };
  const document = parseDocument(output);
  expect(document.errors).toEqual([]);
  walk(document.contents, []);
  return found;
}

function expectedLeaves(file: string): [string, unknown][] {
  const expected = EXPECTED[file] as Expected;
  return expected.entries.filter(([, kind]) => kind !== "comment").map(([aad, , , value]) => [aad, value]);
}

/** PATH without any directory holding a `sops`: the absence case, whatever this machine has. */
const PATH_WITHOUT_SOPS = (process.env.PATH ?? "")
  .split(path.delimiter)
  .filter((dir) => dir !== "" && !existsSync(path.join(dir, "sops")))
  .join(path.delimiter);

describe("croncd decrypt", () => {
  let work: string;
  /** No keys anywhere unless a test puts them somewhere: an empty HOME and XDG_CONFIG_HOME. */
  let baseEnv: Record<string, string>;

  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), "croncd-decrypt-"));
    await mkdir(path.join(work, "home"));
    await mkdir(path.join(work, "xdg-empty"));
    baseEnv = {
      HOME: path.join(work, "home"),
      XDG_CONFIG_HOME: path.join(work, "xdg-empty"),
      PATH: PATH_WITHOUT_SOPS,
    };
  });
  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  const decrypt = (args: string[], env: Record<string, string> = {}): Promise<CroncdResult> =>
    runCroncd(["decrypt", ...args], { cwd: work, env: { ...baseEnv, ...env } });

  /** A copy of a fixture, changed by `edit`, under `name` in the work dir. */
  async function variant(file: string, name: string, edit: (text: string) => string): Promise<string> {
    const target = path.join(work, name);
    const text = await readFile(fixture(file), "utf8");
    const changed = edit(text);
    expect(changed).not.toBe(text);
    await writeFile(target, changed);
    return target;
  }

  it("covers every age-encrypted fixture", () => {
    const ageFiles = Object.entries(EXPECTED)
      .filter(([name, entry]) => name !== "_about" && entry.datakey_via.startsWith("age"))
      .map(([name]) => name)
      .sort();
    expect(AGE_FIXTURES.map(([file]) => file).sort()).toEqual(ageFiles);
  });

  it.each(AGE_FIXTURES)("%s, key in SOPS_AGE_KEY_FILE", async (file, keys) => {
    const result = await decrypt([fixture(file)], { SOPS_AGE_KEY_FILE: fixture(keys) });
    expect(result.stderr).toBe("");
    expect(result.exitCode).toBe(0);
    expect(leaves(result.stdout, (EXPECTED[file] as Expected).format)).toEqual(expectedLeaves(file));
  });

  it("prints dotenv and binary plaintext byte for byte", async () => {
    // runCroncd drops a final newline; here every byte counts.
    const raw = async (file: string) => {
      const result = await execa("node", [CLI, "decrypt", fixture(file)], {
        env: { ...baseEnv, SOPS_AGE_KEY_FILE: fixture("flux-kustomize-controller/age.txt") },
        encoding: "buffer",
        stripFinalNewline: false,
        reject: false,
      });
      expect(result.exitCode).toBe(0);
      return Buffer.from(result.stdout).toString("latin1");
    };
    expect(await raw("flux-kustomize-controller/envs-env.env")).toBe("key=value\n");
    expect(await raw("flux-kustomize-controller/files-file.txt")).toBe("value");
  });

  describe("the other places keys come from", () => {
    const file = "humphd-sops-age/secret.enc.yaml";
    const keys = "humphd-sops-age/key.txt";

    it("SOPS_AGE_KEY (the keys file's content, comments included)", async () => {
      const result = await decrypt([fixture(file)], { SOPS_AGE_KEY: await readFile(fixture(keys), "utf8") });
      expect(result.exitCode, result.stderr).toBe(0);
      expect(leaves(result.stdout, "yaml")).toEqual(expectedLeaves(file));
    });

    it("the default file $XDG_CONFIG_HOME/sops/age/keys.txt", async () => {
      const xdg = path.join(work, "xdg");
      await mkdir(path.join(xdg, "sops", "age"), { recursive: true });
      await copyFile(fixture(keys), path.join(xdg, "sops", "age", "keys.txt"));
      const result = await decrypt([fixture(file)], { XDG_CONFIG_HOME: xdg });
      expect(result.exitCode, result.stderr).toBe(0);
      expect(leaves(result.stdout, "yaml")).toEqual(expectedLeaves(file));
    });

    it("SOPS_AGE_KEY_CMD", async () => {
      const result = await decrypt([fixture(file)], { SOPS_AGE_KEY_CMD: `cat ${fixture(keys)}` });
      expect(result.exitCode, result.stderr).toBe(0);
      expect(leaves(result.stdout, "yaml")).toEqual(expectedLeaves(file));
    });

    it("--input-type when the name does not tell the format", async () => {
      const renamed = path.join(work, "settings.data");
      await copyFile(fixture("flux-kustomize-controller/envs-env.env"), renamed);
      const result = await decrypt(["--input-type", "dotenv", renamed], {
        SOPS_AGE_KEY_FILE: fixture("flux-kustomize-controller/age.txt"),
      });
      expect(result.exitCode, result.stderr).toBe(0);
      expect(result.stdout).toBe("key=value");
    });
  });

  describe("refusals", () => {
    const file = "flux-kustomize-controller/algorithms-age.yaml";
    const keyFile = { SOPS_AGE_KEY_FILE: fixture("flux-kustomize-controller/age.txt") };

    it("the wrong key: the file's recipients and the key's public key, never a private key", async () => {
      const result = await decrypt([fixture(file)], {
        SOPS_AGE_KEY_FILE: fixture("humphd-sops-age/key.txt"),
      });
      expect(result.exitCode).toBe(1);
      expect(result.stdout).toBe("");
      expect(result.stderr).toContain(`${fixture(file)}: none of the age keys found opens it`);
      expect(result.stderr).toContain("age1l44xcng8dqj32nlv6d930qvvrny05hglzcv9qpc7kxjc6902ma4qufys29");
      expect(result.stderr).toContain("age1je6kjhzuhdjy3fqptpttxjh5k8q46vygzlgtpuq3030c947pc5tqz9dqvr");
      expect(result.stderr).not.toContain("AGE-SECRET-KEY");
    });

    it("no key anywhere: where it looked", async () => {
      const result = await decrypt([fixture(file)]);
      expect(result.exitCode).toBe(1);
      expect(result.stdout).toBe("");
      expect(result.stderr).toContain(`${fixture(file)}: no age key found to decrypt it`);
      expect(result.stderr).toContain(
        "SOPS_AGE_KEY: not set; SOPS_AGE_KEY_FILE: not set; SOPS_AGE_KEY_CMD: not set",
      );
      expect(result.stderr).toContain(`$XDG_CONFIG_HOME/sops/age/keys.txt (${path.join(work, "xdg-empty")}`);
    });

    it("a tampered value (one character of its ciphertext flipped)", async () => {
      const tampered = await variant(file, "tampered-value.yaml", (text) =>
        text.replace("data:mHeXsmQ=", "data:nHeXsmQ="),
      );
      const result = await decrypt([tampered], keyFile);
      expect(result.exitCode).toBe(1);
      expect(result.stdout).toBe("");
      expect(result.stderr).toContain(`${tampered}: could not decrypt stringData.key`);
      expect(result.stderr).toContain("wrong key or tampered value");
    });

    it("a tampered plaintext value that the MAC covers (encrypted_regex leaves it in clear)", async () => {
      const tampered = await variant(file, "tampered-clear.yaml", (text) =>
        text.replace("name: age", "name: agf"),
      );
      const refused = await decrypt([tampered], keyFile);
      expect(refused.exitCode).toBe(1);
      expect(refused.stdout).toBe("");
      expect(refused.stderr).toContain(`${tampered}: MAC mismatch`);
      const ignored = await decrypt(["--ignore-mac", tampered], keyFile);
      expect(ignored.exitCode, ignored.stderr).toBe(0);
      expect(leaves(ignored.stdout, "yaml")).toContainEqual(["metadata:name:", "agf"]);
    });

    it("no MAC (like getsops's no_mac.yaml, made from an age file): refused, and --ignore-mac decrypts", async () => {
      const noMac = await variant(file, "no-mac.yaml", (text) => text.replace(/^ {2}mac: .*\n/m, ""));
      const refused = await decrypt([noMac], keyFile);
      expect(refused.exitCode).toBe(1);
      expect(refused.stdout).toBe("");
      expect(refused.stderr).toContain(`${noMac}: the file has no MAC; refusing`);
      const ignored = await decrypt(["--ignore-mac", noMac], keyFile);
      expect(ignored.exitCode, ignored.stderr).toBe(0);
      expect(leaves(ignored.stdout, "yaml")).toEqual(expectedLeaves(file));
    });

    it("a file that is not sops-encrypted", async () => {
      const plain = path.join(work, "plain.yaml");
      await writeFile(plain, "hello: world\n");
      const result = await decrypt([plain], keyFile);
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toContain(`${plain}: is not a sops-encrypted yaml file`);
    });

    it("a file that does not exist", async () => {
      const result = await decrypt([path.join(work, "nope.yaml")], keyFile);
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toContain("nope.yaml: cannot be read: ENOENT");
    });

    it("arguments: the file is required, once; options of other commands are refused", async () => {
      expect((await decrypt([])).stderr).toContain("say which file with croncd decrypt FILE");
      expect((await decrypt(["a.yaml", "b.yaml"])).stderr).toContain('unexpected argument "b.yaml"');
      expect((await decrypt(["--config", "c.yaml", "a.yaml"])).stderr).toContain(
        "--config is not an option of decrypt",
      );
      expect((await decrypt(["--input-type", "toml", "a.yaml"])).stderr).toContain(
        '--input-type must be one of yaml, json, dotenv, ini, binary, not "toml"',
      );
      const plan = await runCroncd(["plan", "--ignore-mac"], { cwd: work, env: baseEnv });
      expect(plan.exitCode).toBe(1);
      expect(plan.stderr).toContain("--ignore-mac is not an option of plan (it belongs to: decrypt)");
    });
  });

  describe("keys only the sops binary can use", () => {
    // PGP-only: sops-nix/secrets.json is encrypted for one PGP key and no age key.
    const file = "sops-nix/secrets.json";

    it("without sops on PATH: says what the file is encrypted for and what to install", async () => {
      const result = await decrypt([fixture(file)], { SOPS_AGE_KEY_FILE: fixture("sops-nix/age-keys.txt") });
      expect(result.exitCode).toBe(1);
      expect(result.stdout).toBe("");
      expect(result.stderr).toContain(
        `${fixture(file)}: it is encrypted for PGP 7FB89715AADA920D65D25E63F9BA9DEBD03F57C0 and no age key croncd can use opens it: this needs the sops binary, which is not on PATH`,
      );
      expect(result.stderr).toContain("install sops");
    });

    // The real sops cannot be installed on this machine (neither npm nor Debian bookworm packages
    // it), so a small fake `sops` on PATH stands in. It only proves that croncd calls sops with the
    // right arguments and prints what sops wrote. It proves nothing about sops itself.
    describe("with a (fake) sops on PATH", () => {
      let fakeBin: string;
      let argsLog: string;

      beforeAll(async () => {
        fakeBin = path.join(work, "fake-bin");
        argsLog = path.join(work, "sops-args.log");
        await mkdir(fakeBin);
        await writeFile(
          path.join(fakeBin, "sops"),
          [
            "#!/bin/sh",
            'printf "%s\\n" "$@" > "$FAKE_SOPS_ARGS"',
            'if [ -n "$FAKE_SOPS_FAIL" ]; then echo "Failed to get the data key required to decrypt the SOPS file." >&2; exit 128; fi',
            'printf \'{\\n\\t"test_key": "from the fake sops"\\n}\\n\'',
            "",
          ].join("\n"),
        );
        await chmod(path.join(fakeBin, "sops"), 0o755);
      });

      const withFakeSops = (extra: Record<string, string> = {}) => ({
        PATH: `${fakeBin}${path.delimiter}${PATH_WITHOUT_SOPS}`,
        FAKE_SOPS_ARGS: argsLog,
        ...extra,
      });

      it("calls sops --decrypt with the format and prints what it wrote, through no file", async () => {
        const result = await decrypt(["--ignore-mac", fixture(file)], withFakeSops());
        expect(result.exitCode, result.stderr).toBe(0);
        expect(result.stdout).toBe('{\n\t"test_key": "from the fake sops"\n}');
        const args = (await readFile(argsLog, "utf8")).trimEnd().split("\n");
        // No --output: sops prints the plaintext to croncd, so no file ever holds it.
        expect(args).toEqual([
          "--decrypt",
          "--input-type",
          "json",
          "--output-type",
          "json",
          "--ignore-mac",
          fixture(file),
        ]);
      });

      it("a failing sops: its exit code and message", async () => {
        const result = await decrypt([fixture(file)], withFakeSops({ FAKE_SOPS_FAIL: "1" }));
        expect(result.exitCode).toBe(1);
        expect(result.stdout).toBe("");
        expect(result.stderr).toContain(
          `${fixture(file)}: sops --decrypt failed with exit code 128: Failed to get the data key required to decrypt the SOPS file.`,
        );
      });
    });
  });
});
