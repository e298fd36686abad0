// A webhook endpoint on 127.0.0.1 that records every request as received (raw body included, so a
// test can check a signature over the exact bytes) and answers with scripted statuses: an outage
// (500, 503), a rate limit (429), a refusal (404), then success.
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo, Socket } from "node:net";

export interface ReceivedRequest {
  method: string;
  /** Path and query as sent. */
  path: string;
  headers: IncomingHttpHeaders;
  bodyText: string;
}

export interface ScriptedAnswer {
  status: number;
  body?: string;
  headers?: Record<string, string>;
}

export class WebhookReceiver {
  readonly received: ReceivedRequest[] = [];
  /** Answers for the next requests, in order; after them every request gets `otherwise`. */
  readonly script: ScriptedAnswer[] = [];
  otherwise: ScriptedAnswer = { status: 200, body: "ok" };
  private readonly sockets = new Set<Socket>();
  private readonly server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      this.received.push({
        method: request.method ?? "",
        path: request.url ?? "",
        headers: request.headers,
        bodyText: Buffer.concat(chunks).toString("utf8"),
      });
      const answer = this.script.shift() ?? this.otherwise;
      response.writeHead(answer.status, answer.headers);
      response.end(answer.body ?? "");
    });
  });
  private baseUrl = "";

  private constructor() {
    this.server.on("connection", (socket) => {
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
    });
  }

  static async start(): Promise<WebhookReceiver> {
    const receiver = new WebhookReceiver();
    await new Promise<void>((resolve) => receiver.server.listen(0, "127.0.0.1", resolve));
    receiver.baseUrl = `http://127.0.0.1:${(receiver.server.address() as AddressInfo).port}`;
    return receiver;
  }

  /** A URL on this server, e.g. url("/services/T000/B000/secret"). */
  url(path: string): string {
    return `${this.baseUrl}${path}`;
  }

  /** The bodies received, parsed as JSON. */
  jsonBodies(): unknown[] {
    return this.received.map((request) => JSON.parse(request.bodyText) as unknown);
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }
}
