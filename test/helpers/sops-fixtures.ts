// The sops files written by the real sops (test/fixtures/sops) and the age keys that open the ones
// the Swarm tests deploy.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

const FIXTURES = fileURLToPath(new URL("../fixtures/sops/", import.meta.url));

export const sopsFixture = (file: string): Promise<Buffer> => readFile(path.join(FIXTURES, file));

/**
 * SOPS_AGE_KEY for flux-kustomize-controller/algorithms-age.yaml (plaintext `key: value`) and
 * helm-secrets/secrets.age.yaml (plaintext `global_secret: global_age`): two files to rotate
 * between.
 */
export async function rotationAgeKeys(): Promise<string> {
  return [
    (await sopsFixture("flux-kustomize-controller/age.txt")).toString(),
    (await sopsFixture("helm-secrets/key.txt")).toString(),
  ].join("\n");
}
