// The registry conversation for moving tags, against a scripted http port: the token flow (no token
// server can be run here; the integration test covers Basic auth against a real registry), Docker
// Hub's names, one manifest HEAD per distinct image, and what croncd says when it cannot ask.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { HttpAnswer, HttpRequest } from "../../../src/ports/http.js";
import { lookUpTagDigests, MANIFEST_ACCEPT, tagDigestLookup } from "../../../src/registry/tag-digests.js";

const DIGEST = `sha256:${"c".repeat(64)}`;

function answer(status: number, headers: Record<string, string> = {}, json?: unknown): HttpAnswer {
  return {
    status,
    headers: new Headers(headers),
    json,
    text: json === undefined ? "" : JSON.stringify(json),
  };
}

let dockerConfig: string;
beforeEach(async () => {
  dockerConfig = await mkdtemp(path.join(tmpdir(), "croncd-docker-config-"));
});
afterEach(async () => {
  await rm(dockerConfig, { recursive: true, force: true });
});

async function login(auths: Record<string, unknown>, extra: Record<string, unknown> = {}): Promise<void> {
  await writeFile(path.join(dockerConfig, "config.json"), JSON.stringify({ auths, ...extra }));
}
/** An http port that answers from a script (synchronously decided, asynchronously delivered). */
const scripted =
  (decide: (request: HttpRequest) => HttpAnswer) =>
  (request: HttpRequest): Promise<HttpAnswer> =>
    Promise.resolve(decide(request));
const basic = (user: string, password: string) => Buffer.from(`${user}:${password}`).toString("base64");

describe("lookUpTagDigests", () => {
  it("gets a token for the repository with the job's credentials and sends one HEAD per distinct image", async () => {
    await login({ "registry.example.com": { auth: basic("ci", "s3cret") } });
    const sent: HttpRequest[] = [];
    const masked: string[] = [];
    const request = scripted((request) => {
      sent.push(request);
      if (request.url === "https://registry.example.com/v2/") {
        return answer(401, {
          "www-authenticate": 'Bearer realm="https://auth.example.com/token",service="registry.example.com"',
        });
      }
      if (request.url.startsWith("https://auth.example.com/token"))
        return answer(200, {}, { token: "tok-123" });
      return answer(200, { "docker-content-digest": DIGEST });
    });
    const image = "registry.example.com/team/app:1";
    const result = await lookUpTagDigests([image, image, image], {
      env: { DOCKER_CONFIG: dockerConfig },
      onSecrets: (values) => masked.push(...values),
      request,
    });
    expect(result).toEqual(new Map([[image, { digest: DIGEST }]]));
    expect(sent.map((request) => `${request.method} ${request.url}`)).toEqual([
      "GET https://registry.example.com/v2/",
      "GET https://auth.example.com/token?service=registry.example.com&scope=repository%3Ateam%2Fapp%3Apull",
      "HEAD https://registry.example.com/v2/team/app/manifests/1",
    ]);
    expect(sent[1]?.headers?.authorization).toBe(`Basic ${basic("ci", "s3cret")}`);
    expect(sent[2]?.headers).toMatchObject({ authorization: "Bearer tok-123", accept: MANIFEST_ACCEPT });
    expect(masked).toEqual(expect.arrayContaining(["s3cret", "tok-123"]));
  });

  it("names Docker Hub images as the registry API does and finds docker login's Hub key", async () => {
    await login({ "https://index.docker.io/v1/": { auth: basic("hubuser", "hubpass") } });
    const sent: HttpRequest[] = [];
    const request = scripted((request) => {
      sent.push(request);
      if (request.method === "GET") return answer(401, { "www-authenticate": 'Basic realm="hub"' });
      return answer(200, { "docker-content-digest": DIGEST });
    });
    await lookUpTagDigests(["nginx"], { env: { DOCKER_CONFIG: dockerConfig }, onSecrets: () => {}, request });
    expect(sent[1]?.url).toBe("https://registry-1.docker.io/v2/library/nginx/manifests/latest");
    expect(sent[1]?.headers?.authorization).toBe(`Basic ${basic("hubuser", "hubpass")}`);
  });

  it("says when the credentials sit in a credential helper croncd does not run", async () => {
    await login({}, { credsStore: "secretservice" });
    const request = scripted(() => answer(401, { "www-authenticate": 'Basic realm="r"' }));
    const result = await lookUpTagDigests(["registry.example.com/app:1"], {
      env: { DOCKER_CONFIG: dockerConfig },
      onSecrets: () => {},
      request,
    });
    const lookup = result.get("registry.example.com/app:1");
    expect(lookup && "error" in lookup ? lookup.error : "").toMatch(
      /^registry\.example\.com: the registry asks for credentials .* credential helper "secretservice"/,
    );
  });

  it("reports a tag the registry does not know as such", async () => {
    const request = scripted((request) => (request.method === "GET" ? answer(200) : answer(404)));
    const result = await lookUpTagDigests(["registry.example.com/app:gone"], {
      env: { DOCKER_CONFIG: dockerConfig },
      onSecrets: () => {},
      request,
    });
    expect(result.get("registry.example.com/app:gone")).toEqual({
      error: "registry.example.com: app:gone: manifest unknown (no such tag in the registry)",
    });
  });

  it("asks about an image once per lookup's life: a target planned again under its lock reuses the answer", async () => {
    const sent: string[] = [];
    const lookUp = tagDigestLookup({
      env: { DOCKER_CONFIG: dockerConfig },
      onSecrets: () => {},
      request: scripted((request) => {
        sent.push(`${request.method} ${request.url}`);
        return request.method === "GET" ? answer(200) : answer(200, { "docker-content-digest": DIGEST });
      }),
    });
    await lookUp(["registry.example.com/app:1"]);
    const again = await lookUp(["registry.example.com/app:1", "registry.example.com/app:2"]);
    expect(again.get("registry.example.com/app:1")).toEqual({ digest: DIGEST });
    expect(sent).toEqual([
      "GET https://registry.example.com/v2/",
      "HEAD https://registry.example.com/v2/app/manifests/1",
      "HEAD https://registry.example.com/v2/app/manifests/2",
    ]);
  });
});
