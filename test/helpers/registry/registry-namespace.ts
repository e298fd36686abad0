// dockerd takes every registry in 127.0.0.0/8 for an insecure one: it skips certificate checks there
// and never reads /etc/docker/certs.d for it. So that the test daemon really verifies the registry's
// certificate against the test CA, the registry runs in a network namespace made for the test, on an
// address outside that range: a veth pair joins the namespace to the host, with a /30 of
// 198.18.0.0/15 (RFC 2544, benchmarking, never routed) on its two ends. The registry listens on the
// namespace's end; dockerd, croncd and the readiness probe reach it from the host's end. Deleting the
// namespace (on stop, on process exit, or in the next run's sweep) takes the veth and both addresses
// with it.
import { randomBytes, randomInt } from "node:crypto";
import { execa } from "execa";
import {
  deleteNamespace,
  deleteNamespaceSync,
  ipEnv,
  REGISTRY_NAMESPACE_PREFIX,
  sweepStaleNamespaces,
} from "./namespace-cleanup.js";

export interface RegistryNamespace {
  name: string;
  /** The namespace's address: what the registry listens on and its certificate names. */
  ip: string;
  /** Kills whatever still runs in the namespace and deletes it, veth included. Idempotent. */
  remove(): Promise<void>;
}

/** 198.18.0.0/15 as a number, and its size. */
const BENCHMARK_NET = toNumber("198.18.0.0");
const BENCHMARK_NET_SIZE = 1 << 17;

export async function createRegistryNamespace(): Promise<RegistryNamespace> {
  await sweepStaleNamespaces();
  const suffix = randomBytes(3).toString("hex");
  // The creator's pid in the name is how a later run's sweep tells a stale namespace from a live one.
  const name = `${REGISTRY_NAMESPACE_PREFIX}${process.pid}-${suffix}`;
  // Interface names are at most 15 characters.
  const hostLink = `creg${suffix}`;
  const subnet = await pickFreeSubnet();
  const hostIp = toDotted(subnet + 1);
  const namespaceIp = toDotted(subnet + 2);

  await ip(["netns", "add", name]);
  const onExit = (): void => deleteNamespaceSync(name);
  process.on("exit", onExit);
  let removing: Promise<void> | undefined;
  const remove = (): Promise<void> => {
    removing ??= (async () => {
      process.off("exit", onExit);
      await deleteNamespace(name);
    })();
    return removing;
  };
  try {
    // The peer is made inside the namespace at once, so no loose end is ever left on the host.
    await ip(["link", "add", hostLink, "type", "veth", "peer", "name", "eth0", "netns", name]);
    await ip(["address", "add", `${hostIp}/30`, "dev", hostLink]);
    await ip(["link", "set", hostLink, "up"]);
    await ip(["-n", name, "address", "add", `${namespaceIp}/30`, "dev", "eth0"]);
    await ip(["-n", name, "link", "set", "eth0", "up"]);
    await ip(["-n", name, "link", "set", "lo", "up"]);
  } catch (error) {
    await remove();
    throw error;
  }
  return { name, ip: namespaceIp, remove };
}

async function ip(args: string[]): Promise<void> {
  const result = await execa("ip", args, { reject: false, env: ipEnv() });
  if (result.exitCode !== 0) throw new Error(`ip ${args.join(" ")} failed: ${result.stderr.trim()}`);
}

/** A random /30 of 198.18.0.0/15 that no address on the host falls in (a concurrent run's, say). */
async function pickFreeSubnet(): Promise<number> {
  const { stdout } = await execa("ip", ["-4", "-o", "address", "show"], { env: ipEnv() });
  const taken = new Set(
    [...stdout.matchAll(/inet (\d+\.\d+\.\d+\.\d+)/g)].map((match) => toNumber(match[1] ?? "") >>> 2),
  );
  for (let attempt = 0; attempt < 20; attempt++) {
    const subnet = (BENCHMARK_NET + randomInt(0, BENCHMARK_NET_SIZE / 4) * 4) >>> 0;
    if (!taken.has(subnet >>> 2)) return subnet;
  }
  throw new Error("no free /30 in 198.18.0.0/15 for the test registry's namespace after 20 tries");
}

function toNumber(dotted: string): number {
  return dotted.split(".").reduce((value, part) => ((value << 8) | Number(part)) >>> 0, 0);
}

function toDotted(value: number): string {
  return [24, 16, 8, 0].map((shift) => (value >>> shift) & 255).join(".");
}
