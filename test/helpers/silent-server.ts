// A server that accepts connections and never answers: a hung git server or Docker daemon, as a
// silent firewall or a wedged process looks from outside. It keeps count of what is connected, so
// a test can see the client (croncd's child) go away.
import { createServer, type AddressInfo, type Socket } from "node:net";

export interface SilentServer {
  /** `127.0.0.1:PORT`, or the socket path. */
  address: string;
  /** Connections ever accepted. */
  readonly accepted: number;
  /** Connections still open. */
  readonly open: number;
  stop(): Promise<void>;
}

/** Listens on a unix socket path, or on a free loopback TCP port when none is given. */
export async function startSilentServer(socketPath?: string): Promise<SilentServer> {
  const connections = new Set<Socket>();
  let accepted = 0;
  const server = createServer((connection) => {
    accepted += 1;
    connections.add(connection);
    connection.on("close", () => connections.delete(connection));
    connection.on("error", () => undefined);
    // Read everything, answer nothing.
    connection.resume();
  });
  await new Promise<void>((resolve) =>
    socketPath ? server.listen(socketPath, resolve) : server.listen(0, "127.0.0.1", resolve),
  );
  const address = socketPath ?? `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    address,
    get accepted() {
      return accepted;
    },
    get open() {
      return connections.size;
    },
    async stop() {
      for (const connection of connections) connection.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
