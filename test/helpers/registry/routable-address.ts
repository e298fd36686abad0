// dockerd takes every registry in 127.0.0.0/8 for an insecure one: it skips certificate checks there
// and never reads /etc/docker/certs.d for it. So that the test daemon really verifies the registry's
// certificate against the test CA, the registry listens on an address outside that range, added to
// the loopback interface for the test: one of 198.18.0.0/15 (RFC 2544, benchmarking, never routed).
// It is reachable from this host only, like 127.0.0.1, and removed again on stop (or process exit).
import { execFileSync } from "node:child_process";
import { randomInt } from "node:crypto";
import { execa } from "execa";

export interface LoopbackAddress {
  ip: string;
  /** Removes the address. Idempotent. */
  remove(): Promise<void>;
}

export async function addLoopbackAddress(): Promise<LoopbackAddress> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const ip = `198.18.${randomInt(1, 255)}.${randomInt(1, 255)}`;
    const added = await execa("ip", ["address", "add", `${ip}/32`, "dev", "lo"], { reject: false });
    // Taken by a concurrent run: try another.
    if (added.exitCode !== 0) {
      if (/exists/i.test(added.stderr)) continue;
      throw new Error(`ip address add ${ip}/32 dev lo failed: ${added.stderr.trim()}`);
    }
    const onExit = (): void => {
      try {
        execFileSync("ip", ["address", "del", `${ip}/32`, "dev", "lo"], { stdio: "ignore" });
      } catch {
        // Already gone.
      }
    };
    process.on("exit", onExit);
    let removed = false;
    return {
      ip,
      async remove() {
        if (removed) return;
        removed = true;
        process.off("exit", onExit);
        await execa("ip", ["address", "del", `${ip}/32`, "dev", "lo"], { reject: false });
      },
    };
  }
  throw new Error("no free address in 198.18.0.0/15 for the test registry after 5 tries");
}
