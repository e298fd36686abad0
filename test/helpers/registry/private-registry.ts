// A private registry as a platform team runs one: TLS from a CA of its own (which the test daemon is
// told to trust through certs.d, and checks: see registry-namespace.ts) and htpasswd auth. One per
// test file, in a network namespace of its own; `stop` removes every trace.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { trustRegistryCa } from "./daemon-trust.js";
import { writeHtpasswd } from "./htpasswd.js";
import { startLocalRegistry, type LocalRegistry } from "./local-registry.js";
import { createRegistryNamespace } from "./registry-namespace.js";
import { makeTestCertificates } from "./test-ca.js";

export interface PrivateRegistry extends LocalRegistry {
  user: string;
  password: string;
  /** The CA's PEM file: NODE_EXTRA_CA_CERTS for croncd. */
  caFile: string;
}

export async function startPrivateRegistry(credentials: {
  user: string;
  password: string;
}): Promise<PrivateRegistry> {
  const dir = await mkdtemp(path.join(tmpdir(), "croncd-registry-"));
  const cleanups: (() => Promise<void>)[] = [() => rm(dir, { recursive: true, force: true })];
  const cleanUp = async (): Promise<void> => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  };
  try {
    const namespace = await createRegistryNamespace();
    cleanups.push(() => namespace.remove());
    const certificates = await makeTestCertificates(dir, namespace.ip);
    const htpasswdFile = path.join(dir, "htpasswd");
    await writeHtpasswd(htpasswdFile, credentials.user, credentials.password);
    const registry = await startLocalRegistry(dir, {
      tls: certificates,
      htpasswdFile,
      ip: namespace.ip,
      netns: namespace.name,
    });
    cleanups.push(() => registry.stop());
    cleanups.push(await trustRegistryCa(registry.address, certificates.caFile));
    return {
      ...registry,
      ...credentials,
      caFile: certificates.caFile,
      stop: cleanUp,
    };
  } catch (error) {
    await cleanUp();
    throw error;
  }
}
