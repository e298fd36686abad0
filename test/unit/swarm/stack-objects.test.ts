// What croncd does with the configs and secrets it creates or checks before a deploy, against the
// daemon's answers (the messages are a 20.10 daemon's own words, recorded from real requests).
import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import type { ApiAnswer, ApiRequest } from "../../../src/ports/docker-api.js";
import type { DockerCli } from "../../../src/ports/docker.js";
import { ObjectContent } from "../../../src/targets/swarm/object-content.js";
import { prepareStackObjects } from "../../../src/targets/swarm/stack-objects.js";
import type { StackObject } from "../../../src/targets/swarm/swarm-objects.js";

const PLAINTEXT = "s3cr3t-value";

function object(fields: Partial<StackObject> & Pick<StackObject, "key" | "name">): StackObject {
  return {
    section: "secrets",
    fixedName: false,
    createdByCroncd: true,
    labels: { "com.docker.stack.namespace": "web" },
    content: new ObjectContent(Buffer.from(PLAINTEXT)),
    contentDigest: "0".repeat(64),
    ...fields,
  };
}

const answer = (status: number, json?: unknown, message = ""): ApiAnswer => ({ status, json, message });

/** A docker whose API answers each request with the next scripted answer. */
function scriptedApi(answers: ApiAnswer[]): DockerCli & { requests: ApiRequest[] } {
  const requests: ApiRequest[] = [];
  const unexpected = () => Promise.reject(new Error("only the Engine API is expected"));
  return {
    requests,
    run: unexpected,
    tryRun: unexpected,
    getJson: unexpected,
    tryRequest: (request) => {
      requests.push(request);
      const next = answers.shift();
      return next ? Promise.resolve(next) : Promise.reject(new Error(`unexpected ${request.path}`));
    },
  };
}

const existing = {
  ID: "ed0247jl7itlz3qo47cncmqr9",
  Version: { Index: 11 },
  Spec: { Name: "db-password", Labels: { "com.docker.stack.namespace": "other" } },
};

async function failure(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(Error);
  return (error as Error).message;
}

describe("prepareStackObjects", () => {
  it("creates a sops-backed object from memory with the stack's labels", async () => {
    const docker = scriptedApi([answer(201, { ID: "x" })]);
    await prepareStackObjects(docker, [
      object({ key: "db", name: "web_db-0123456789ab", templateDriver: "golang" }),
    ]);
    expect(docker.requests).toEqual([
      {
        method: "POST",
        path: "/secrets/create",
        body: {
          Name: "web_db-0123456789ab",
          Labels: { "com.docker.stack.namespace": "web" },
          Data: Buffer.from(PLAINTEXT).toString("base64"),
          Templating: { Name: "golang" },
        },
      },
    ]);
  });

  it("reuses a content-named object that already exists (another run may have made it)", async () => {
    const docker = scriptedApi([
      answer(
        409,
        undefined,
        "rpc error: code = AlreadyExists desc = secret web_db-0123456789ab already exists",
      ),
    ]);
    await prepareStackObjects(docker, [object({ key: "db", name: "web_db-0123456789ab" })]);
    expect(docker.requests).toHaveLength(1);
  });

  it("a fixed name that exists with the same content: Swarm accepts the unchanged spec", async () => {
    const docker = scriptedApi([answer(409), answer(200, existing), answer(200)]);
    await prepareStackObjects(docker, [object({ key: "db", name: "db-password", fixedName: true })]);
    expect(docker.requests.slice(1)).toEqual([
      { method: "GET", path: "/secrets/db-password" },
      {
        method: "POST",
        path: `/secrets/${existing.ID}/update?version=11`,
        // The object's own labels: the check changes nothing else.
        body: { ...existing.Spec, Data: Buffer.from(PLAINTEXT).toString("base64") },
      },
    ]);
  });

  it("a fixed name whose content changed: says what to do, and creates nothing after it", async () => {
    const docker = scriptedApi([
      answer(409),
      answer(200, existing),
      answer(400, undefined, "rpc error: code = InvalidArgument desc = only updates to Labels are allowed"),
    ]);
    const message = await failure(
      prepareStackObjects(docker, [
        object({ key: "other", name: "web_other-0123456789ab" }),
        object({ key: "db", name: "db-password", fixedName: true }),
      ]),
    );
    expect(message).toBe(
      "secret db: its content changed but its name is fixed by `name:` (db-password); Swarm objects cannot change: " +
        "give it a new name (e.g. db-password-v2) here and in the stacks that use it, " +
        "or remove `name:` to let croncd name each revision by content",
    );
    // Checked first, so the refused stack leaves no new object behind.
    expect(docker.requests).toHaveLength(3);
    expect(
      docker.requests.map((request) => (request.body as { Name?: string } | undefined)?.Name),
    ).not.toContain("web_other-0123456789ab");
    expect(message).not.toContain(PLAINTEXT);
  });

  it("a plain file under a fixed name is only checked; a missing one is left to docker stack deploy", async () => {
    const docker = scriptedApi([answer(404, undefined, "config page not found")]);
    await prepareStackObjects(docker, [
      object({ section: "configs", key: "page", name: "page", fixedName: true, createdByCroncd: false }),
    ]);
    expect(docker.requests).toEqual([{ method: "GET", path: "/configs/page" }]);
  });

  it("says plainly when another run removed or changed the object at the same time", async () => {
    const removed = scriptedApi([answer(409), answer(404, undefined, "secret db-password not found")]);
    expect(
      await failure(
        prepareStackObjects(removed, [object({ key: "db", name: "db-password", fixedName: true })]),
      ),
    ).toBe(
      "secret db: another run (or person) removed secret db-password while croncd was creating it: run croncd again",
    );
    const changed = scriptedApi([
      answer(409),
      answer(200, existing),
      answer(500, undefined, "rpc error: code = Unknown desc = update out of sequence"),
    ]);
    expect(
      await failure(
        prepareStackObjects(changed, [object({ key: "db", name: "db-password", fixedName: true })]),
      ),
    ).toBe(
      "secret db: another run (or person) changed secret db-password at the same time: run croncd again",
    );
  });

  it("keeps the daemon's words for any other refusal", async () => {
    const docker = scriptedApi([
      answer(400, undefined, "secret data must be larger than 0 and less than 500KB"),
    ]);
    expect(await failure(prepareStackObjects(docker, [object({ key: "db", name: "web_db-1" })]))).toBe(
      "secret db: could not create secret web_db-1: secret data must be larger than 0 and less than 500KB",
    );
  });
});

describe("ObjectContent", () => {
  it("never shows the content when printed or serialised", () => {
    const content = new ObjectContent(Buffer.from(PLAINTEXT));
    const holder = { content };
    expect(JSON.stringify(holder)).not.toContain(PLAINTEXT);
    expect(inspect(holder)).not.toContain(PLAINTEXT);
    expect(String(content)).not.toContain(PLAINTEXT);
    expect(Buffer.from(content.base64(), "base64").toString()).toBe(PLAINTEXT);
  });
});
