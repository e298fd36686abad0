// A throw-away certificate authority and a server certificate for one IP address, made with the openssl
// CLI: the TLS a private registry needs, without any real CA. The key files stay in `dir`.
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { execa } from "execa";

export interface TestCertificates {
  /** PEM of the CA: what docker (certs.d) and croncd (NODE_EXTRA_CA_CERTS) are told to trust. */
  caFile: string;
  certFile: string;
  keyFile: string;
}

/** Makes a CA and a certificate for `ip` signed by it, valid for a day. */
export async function makeTestCertificates(dir: string, ip = "127.0.0.1"): Promise<TestCertificates> {
  const file = (name: string): string => path.join(dir, name);
  const openssl = (args: string[]) => execa("openssl", args, { cwd: dir });
  await openssl([
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-days",
    "1",
    "-subj",
    "/CN=croncd test CA",
    "-keyout",
    file("ca.key"),
    "-out",
    file("ca.crt"),
  ]);
  await openssl([
    "req",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-subj",
    `/CN=${ip}`,
    "-keyout",
    file("server.key"),
    "-out",
    file("server.csr"),
  ]);
  // Clients check the subjectAltName, never the CN.
  await writeFile(file("server.ext"), `subjectAltName = IP:${ip}\nextendedKeyUsage = serverAuth\n`);
  await openssl([
    "x509",
    "-req",
    "-in",
    file("server.csr"),
    "-CA",
    file("ca.crt"),
    "-CAkey",
    file("ca.key"),
    "-CAcreateserial",
    "-days",
    "1",
    "-extfile",
    file("server.ext"),
    "-out",
    file("server.crt"),
  ]);
  return { caFile: file("ca.crt"), certFile: file("server.crt"), keyFile: file("server.key") };
}
