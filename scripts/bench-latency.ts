// A TCP relay that puts network distance between the private dockerd and the benchmark's local
// registry. On loopback a registry answers in well under a millisecond, far closer than any registry
// a Swarm really pulls from (Docker Hub, GHCR and GitLab.com sit tens of milliseconds away from most
// sites; a Harbor in the same rack is the loopback case). The naive loop's cost is mostly those round
// trips, so the benchmark measures it both ways: relay delay 0, and a chosen round-trip time.
//
// The model is deliberately modest: every chunk waits half the round-trip time in each direction, and
// a new connection waits one round trip before its first byte goes through (the TCP handshake). No
// TLS handshakes and no token service, which real registries add: a real distance costs the naive
// loop more than this does.
import net from "node:net";

export interface LatencyRelay {
  /** `127.0.0.1:PORT`: use it in image references instead of the registry's own address. */
  address: string;
  /** The round-trip time added from now on, for new and open connections alike; 0 relays at once. */
  setRoundTripMs(ms: number): void;
  roundTripMs(): number;
  /** Closes the listener and every relayed connection. */
  stop(): Promise<void>;
}

/** Starts a relay on a free port of 127.0.0.1 to `upstream` (`host:port`). */
export async function startLatencyRelay(upstream: string): Promise<LatencyRelay> {
  const [upstreamHost = "127.0.0.1", upstreamPort = "0"] = upstream.split(":");
  let roundTrip = 0;
  const open = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const server = net.connect(Number(upstreamPort), upstreamHost);
    for (const socket of [client, server]) {
      // Nagle's algorithm would hold small writes back on top of the chosen delay.
      socket.setNoDelay(true);
      open.add(socket);
      socket.on("close", () => open.delete(socket));
      socket.on("error", () => {
        client.destroy();
        server.destroy();
      });
    }
    // Nothing flows before the handshake's round trip is over.
    const openedAt = Date.now() + roundTrip;
    relay(client, server, () => roundTrip / 2, openedAt);
    relay(server, client, () => roundTrip / 2, openedAt);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as net.AddressInfo;
  return {
    address: `127.0.0.1:${port}`,
    setRoundTripMs(ms) {
      roundTrip = ms;
    },
    roundTripMs: () => roundTrip,
    stop() {
      for (const socket of open) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * Copies `from` to `to`, each chunk (and the end) delivered `delayMs()` after it arrived and never
 * before `notBefore`, in order.
 */
function relay(from: net.Socket, to: net.Socket, delayMs: () => number, notBefore: number): void {
  const queue: { at: number; chunk: Buffer | null }[] = [];
  let timer: NodeJS.Timeout | undefined;
  const flush = (): void => {
    timer = undefined;
    const now = Date.now();
    while (queue.length > 0 && (queue[0]?.at ?? 0) <= now) {
      const { chunk } = queue.shift() as { chunk: Buffer | null };
      if (chunk === null) to.end();
      else to.write(chunk);
    }
    schedule();
  };
  const schedule = (): void => {
    const next = queue[0];
    if (timer === undefined && next) timer = setTimeout(flush, Math.max(0, next.at - Date.now()));
  };
  const push = (chunk: Buffer | null): void => {
    const now = Date.now();
    const at = Math.max(now + delayMs(), notBefore, queue[queue.length - 1]?.at ?? 0);
    // No distance set: straight through, so the loopback measurement pays no timer per chunk.
    if (at <= now && queue.length === 0) {
      if (chunk === null) to.end();
      else to.write(chunk);
      return;
    }
    queue.push({ at, chunk });
    schedule();
  };
  from.on("data", (chunk: Buffer) => push(chunk));
  from.on("end", () => push(null));
  from.on("close", () => {
    if (timer === undefined && queue.length === 0) to.end();
  });
}
