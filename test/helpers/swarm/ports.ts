// Free ports for the Swarm's control plane (TCP) and VXLAN data path (UDP). The preferred ports are
// tried first so a single run looks the same every time; another concurrent daemon may hold them.
import { createSocket } from "node:dgram";
import { createServer } from "node:net";

export async function pickTcpPort(preferred: number): Promise<number> {
  const tryListen = (port: number): Promise<number | undefined> =>
    new Promise((resolve) => {
      const server = createServer();
      server.once("error", () => resolve(undefined));
      server.listen(port, "127.0.0.1", () => {
        const address = server.address();
        const chosen = typeof address === "object" && address ? address.port : undefined;
        server.close(() => resolve(chosen));
      });
    });
  const port = (await tryListen(preferred)) ?? (await tryListen(0));
  if (port === undefined) throw new Error("could not find a free TCP port on 127.0.0.1 for the swarm");
  return port;
}

export async function pickUdpPort(preferred: number): Promise<number> {
  const tryBind = (port: number): Promise<boolean> =>
    new Promise((resolve) => {
      const socket = createSocket("udp4");
      socket.once("error", () => {
        socket.close();
        resolve(false);
      });
      socket.bind(port, () => socket.close(() => resolve(true)));
    });
  if (await tryBind(preferred)) return preferred;
  // Swarm requires the VXLAN data path port to be within 1024-49151.
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 4800 + Math.floor(Math.random() * 1000);
    if (await tryBind(port)) return port;
  }
  throw new Error("could not find a free UDP port for the swarm data path");
}
