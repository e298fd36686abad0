// client-go sends a kubeconfig's bearer token only over TLS (over plain http it silently drops the
// user's credentials), so the stand-in serves HTTPS with a throwaway self-signed certificate for
// 127.0.0.1, made by Debian's openssl (a dependency of ca-certificates) and trusted through the
// kubeconfig's certificate-authority-data.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { execa } from "execa";

export interface ServingCertificate {
  /** PEM; also the CA a kubeconfig must trust, as it is self-signed. */
  cert: string;
  key: string;
}

export async function makeServingCertificate(): Promise<ServingCertificate> {
  const dir = await mkdtemp(path.join(tmpdir(), "croncd-kube-tls-"));
  try {
    const key = path.join(dir, "key.pem");
    const cert = path.join(dir, "cert.pem");
    // A CA certificate that is also the serving one: Go accepts a self-signed leaf as its own root.
    await execa("openssl", [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-days",
      "2",
      "-subj",
      "/CN=croncd-kube-standin",
      "-addext",
      "subjectAltName=IP:127.0.0.1,DNS:localhost",
      "-keyout",
      key,
      "-out",
      cert,
    ]);
    return { cert: await readFile(cert, "utf8"), key: await readFile(key, "utf8") };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
