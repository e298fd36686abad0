// Writes sops files for `npm run bench`: Kubernetes-Secret-like YAML, shaped like the flux fixture
// `algorithms-age.yaml` (`encrypted_regex: ^(data|stringData)$`). Each file has its own random data
// key, wrapped for one age recipient. The encryption follows sops's format:
// - values: AES-256-GCM with a 32-byte IV, with the value's path (`stringData:password:`) as AAD;
// - MAC: SHA-512 over every value in document order, in upper-case hex, encrypted with
//   `lastmodified` as AAD.
// These files are test data for the benchmark only. croncd never encrypts.
import { createCipheriv, createHash, randomBytes } from "node:crypto";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { armor, Encrypter } from "age-encryption";

const LAST_MODIFIED = "2025-01-01T00:00:00Z";

export interface BenchFile {
  path: string;
  /** The armored age file holding the data key (what `sops.age[0].enc` holds). */
  ageEnc: string;
  dataKey: Uint8Array;
  password: string;
}

function encryptValue(value: string, key: Uint8Array, aad: string): string {
  const iv = randomBytes(32);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(Buffer.from(aad, "utf8"));
  const data = Buffer.concat([cipher.update(value, "utf8"), cipher.final()]);
  const tag = cipher.getAuthTag();
  return `ENC[AES256_GCM,data:${data.toString("base64")},iv:${iv.toString("base64")},tag:${tag.toString("base64")},type:str]`;
}

export async function writeBenchFiles(dir: string, count: number, recipient: string): Promise<BenchFile[]> {
  const encrypter = new Encrypter();
  encrypter.addRecipient(recipient);
  const files: BenchFile[] = [];
  for (let index = 0; index < count; index += 1) {
    const name = `app-${String(index).padStart(3, "0")}`;
    const dataKey = new Uint8Array(randomBytes(32));
    const clear: [string, string][] = [
      ["apiVersion", "v1"],
      ["kind", "Secret"],
      ["metadata:name", name],
    ];
    const password = randomBytes(18).toString("base64url");
    const secret: [string, string][] = [
      ["username", `user-${name}`],
      ["password", password],
      ["token", randomBytes(32).toString("hex")],
    ];
    const mac = createHash("sha512");
    for (const [, value] of [...clear, ...secret]) mac.update(value, "utf8");
    const ageEnc = armor.encode(await encrypter.encrypt(dataKey));
    const text = [
      "apiVersion: v1",
      "kind: Secret",
      "metadata:",
      `  name: ${name}`,
      "stringData:",
      ...secret.map(([key, value]) => `  ${key}: ${encryptValue(value, dataKey, `stringData:${key}:`)}`),
      "sops:",
      "  age:",
      `    - recipient: ${recipient}`,
      "      enc: |",
      ...ageEnc
        .trimEnd()
        .split("\n")
        .map((line) => `        ${line}`),
      `  lastmodified: "${LAST_MODIFIED}"`,
      `  mac: ${encryptValue(mac.digest("hex").toUpperCase(), dataKey, LAST_MODIFIED)}`,
      "  encrypted_regex: ^(data|stringData)$",
      "  version: 3.9.0",
      "",
    ].join("\n");
    const file = path.join(dir, `${name}.yaml`);
    await writeFile(file, text, { mode: 0o600 });
    files.push({ path: file, ageEnc, dataKey, password });
  }
  return files;
}
