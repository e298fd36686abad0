// The http port against real loopback servers: errors name the method and URL, never a header.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { HttpError, httpRequestOk, nextPageUrl, withoutCredentials } from "../../../src/ports/http.js";
import { startSilentServer } from "../../helpers/silent-server.js";

let server: Server | undefined;
afterEach(async () => {
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
});

async function serve(status: number, body: string): Promise<string> {
  server = createServer((_req, res) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(body);
  });
  await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe("httpRequestOk", () => {
  it("names the method, the URL and the server's message on a refusal, never the token", async () => {
    const url = await serve(403, JSON.stringify({ message: "Resource not accessible by integration" }));
    const error = await httpRequestOk({
      method: "POST",
      url: `${url}/repos/a/b/issues/1/comments`,
      headers: { authorization: "Bearer ghs_secret_token" },
      body: { body: "x" },
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).status).toBe(403);
    expect((error as HttpError).message).toBe(
      `POST ${url}/repos/a/b/issues/1/comments answered 403: Resource not accessible by integration`,
    );
    expect(JSON.stringify(error)).not.toContain("ghs_secret_token");
  });

  it("gives up on a server that never answers, saying after how long", async () => {
    const silent = await startSilentServer();
    try {
      const error = await httpRequestOk({
        method: "GET",
        url: `http://${silent.address}/x`,
        timeoutMs: 200,
      }).catch((caught: unknown) => caught);
      expect((error as HttpError).timedOut).toBe(true);
      expect((error as HttpError).message).toBe(`GET http://${silent.address}/x: no answer within 0.2s`);
    } finally {
      await silent.stop();
    }
  });

  it("says why no connection was made", async () => {
    const url = await serve(200, "{}");
    await new Promise((resolve) => server?.close(resolve));
    server = undefined;
    await expect(httpRequestOk({ method: "GET", url })).rejects.toThrow(
      `GET ${url}/: could not connect (ECONNREFUSED)`,
    );
  });
});

describe("a URL that is itself a secret (webhooks)", () => {
  it("is named by its displayUrl in refusals and timeouts", async () => {
    const url = await serve(404, "no_service");
    const refused = await httpRequestOk({
      method: "POST",
      url: `${url}/services/T1/B2/tokenpart`,
      displayUrl: "$SLACK_WEBHOOK_URL",
      bodyText: "{}",
    }).catch((caught: unknown) => caught);
    expect((refused as HttpError).message).toBe("POST $SLACK_WEBHOOK_URL answered 404: no_service");

    const silent = await startSilentServer();
    try {
      const hung = await httpRequestOk({
        method: "POST",
        url: `http://${silent.address}/services/T1/B2/tokenpart`,
        displayUrl: "$SLACK_WEBHOOK_URL",
        timeoutMs: 200,
      }).catch((caught: unknown) => caught);
      expect((hung as HttpError).message).toBe("POST $SLACK_WEBHOOK_URL: no answer within 0.2s");
    } finally {
      await silent.stop();
    }
  });
});

describe("URL helpers", () => {
  it("drops user and password from a URL shown in a message", () => {
    expect(withoutCredentials("https://user:tok@api.example/x")).toBe("https://api.example/x");
  });

  it("finds the next page in a Link header", () => {
    const headers = new Headers({
      link: '<https://api.example/x?page=3>; rel="next", <https://api.example/x?page=9>; rel="last"',
    });
    expect(nextPageUrl(headers)).toBe("https://api.example/x?page=3");
    expect(nextPageUrl(new Headers({ link: '<https://api.example/x?page=1>; rel="prev"' }))).toBeUndefined();
  });
});
