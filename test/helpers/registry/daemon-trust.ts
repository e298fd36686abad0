// dockerd trusts a registry's CA when it finds `/etc/docker/certs.d/<host:port>/ca.crt`; it reads
// that folder on every connection, so a CA written there while a test runs is used at once. The
// folder is named after one registry address (a random port), so nothing else is affected.
import { copyFile, mkdir, rm } from "node:fs/promises";
import path from "node:path";

export const DOCKER_CERTS_DIR = "/etc/docker/certs.d";

/** Installs `caFile` for `address`; resolves to a function that removes it again. */
export async function trustRegistryCa(address: string, caFile: string): Promise<() => Promise<void>> {
  const dir = path.join(DOCKER_CERTS_DIR, address);
  await mkdir(dir, { recursive: true });
  await copyFile(caFile, path.join(dir, "ca.crt"));
  const remove = (): Promise<void> => rm(dir, { recursive: true, force: true });
  return remove;
}
