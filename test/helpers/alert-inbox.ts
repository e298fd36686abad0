// A loopback HTTP server that stands in for a webhook endpoint: records every request (headers,
// body) and answers 200, so tests assert what croncd sent and how often.
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";

export interface ReceivedAlert {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface AlertInbox {
  url: string;
  readonly received: readonly ReceivedAlert[];
  stop(): Promise<void>;
}

export async function startAlertInbox(): Promise<AlertInbox> {
  const received: ReceivedAlert[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      received.push({
        path: req.url ?? "/",
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      });
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
