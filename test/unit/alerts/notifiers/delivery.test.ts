// What every notifier shares, against real servers on loopback: retries with backoff on 5xx, 429
// and on a server that never answers (bounded), no retry on a refusal, filters, and secrets —
// the webhook URL and any secret in a cause — kept out of bodies, errors and the log.
import { createServer } from "node:net";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { startSilentServer } from "../../../helpers/silent-server.js";
import { WebhookReceiver } from "../../../helpers/webhook-receiver.js";
import { DRIFT, FAILED, harness, notifier, RECOVERED, TARGET_DOWN } from "./fixtures.js";

const SECRET_PATH = "/services/T0001/B0002/s3cr3tWebhookToken";

describe("notifier delivery", () => {
  let receiver: WebhookReceiver;
  beforeEach(async () => (receiver = await WebhookReceiver.start()));
  afterEach(() => receiver.stop());

  const slackTo = (url: string) => ({
    env: { SLACK_WEBHOOK_URL: url },
    config: notifier({ type: "slack", urlEnv: "SLACK_WEBHOOK_URL" }),
  });

  it("retries a 500 and delivers on the next attempt", async () => {
    receiver.script.push({ status: 500, body: "internal_error" }, { status: 503, body: "try later" });
    const { env, config } = slackTo(receiver.url(SECRET_PATH));
    const { send, logText } = harness(env);
    expect(await send([FAILED], { notifiers: [config] })).toEqual([
      { notifier: "ops", events: 1, ok: true, attempts: 3 },
    ]);
    expect(receiver.received).toHaveLength(3);
    // Every attempt carries the same message.
    expect(new Set(receiver.received.map((request) => request.bodyText)).size).toBe(1);
    expect(logText()).toContain("attempt 1 failed (POST $SLACK_WEBHOOK_URL answered 500: internal_error)");
  });

  it("gives up after the configured attempts and reports the last error without the URL", async () => {
    receiver.otherwise = { status: 502, body: "bad gateway" };
    const { env, config } = slackTo(receiver.url(SECRET_PATH));
    const { send, logText } = harness(env);
    const [delivery] = await send([FAILED], { notifiers: [config] });
    expect(delivery).toEqual({
      notifier: "ops",
      events: 1,
      ok: false,
      attempts: 3,
      error: "not delivered after 3 attempts: POST $SLACK_WEBHOOK_URL answered 502: bad gateway",
    });
    expect(receiver.received).toHaveLength(3);
    expect(logText()).toContain("warning: alert notifier ops (Slack): not delivered after 3 attempts");
    expect(logText()).not.toContain("s3cr3tWebhookToken");
    expect(logText()).not.toContain("127.0.0.1");
  });

  it("does not retry a refusal (404: the webhook was removed)", async () => {
    receiver.otherwise = { status: 404, body: "no_service" };
    const { env, config } = slackTo(receiver.url(SECRET_PATH));
    const [delivery] = await harness(env).send([FAILED], { notifiers: [config] });
    expect(delivery).toMatchObject({ ok: false, attempts: 1 });
    expect(delivery?.error).toBe(
      "not delivered after 1 attempt: POST $SLACK_WEBHOOK_URL answered 404: no_service",
    );
    expect(receiver.received).toHaveLength(1);
  });

  it("retries a rate limit (429)", async () => {
    receiver.script.push({ status: 429, body: "rate_limited", headers: { "retry-after": "0" } });
    const { env, config } = slackTo(receiver.url(SECRET_PATH));
    const [delivery] = await harness(env).send([FAILED], { notifiers: [config] });
    expect(delivery).toMatchObject({ ok: true, attempts: 2 });
  });

  it("stops waiting for a server that never answers, retries, and reports it", async () => {
    const silent = await startSilentServer();
    try {
      const { env, config } = slackTo(`http://${silent.address}${SECRET_PATH}`);
      const { send, logText } = harness(env);
      const [delivery] = await send([FAILED], {
        notifiers: [config],
        timeoutMs: 300,
        retry: { attempts: 2, initialDelayMs: 1 },
      });
      expect(delivery).toEqual({
        notifier: "ops",
        events: 1,
        ok: false,
        attempts: 2,
        error: "not delivered after 2 attempts: POST $SLACK_WEBHOOK_URL: no answer within 0.3s",
      });
      // It did connect again for the second attempt (fetch may open a spare connection as well).
      expect(silent.accepted).toBeGreaterThanOrEqual(2);
      expect(logText()).not.toContain(silent.address);
    } finally {
      await silent.stop();
    }
  });

  it("retries a refused connection and names the reason", async () => {
    const port = await freePort();
    const { env, config } = slackTo(`http://127.0.0.1:${port}${SECRET_PATH}`);
    const [delivery] = await harness(env).send([FAILED], { notifiers: [config] });
    expect(delivery).toMatchObject({ ok: false, attempts: 3 });
    expect(delivery?.error).toBe(
      "not delivered after 3 attempts: POST $SLACK_WEBHOOK_URL: could not connect (ECONNREFUSED)",
    );
  });

  it("names a URL variable that is not set, or not a URL, and sends nothing", async () => {
    const { send } = harness({ BROKEN_URL: "hooks.example.com/abc", FTP_URL: "ftp://files.example.com/x" });
    const deliveries = await send([FAILED], {
      notifiers: [
        notifier({ type: "slack", name: "unset", urlEnv: "SLACK_WEBHOOK_URL" }),
        notifier({ type: "teams", name: "broken", urlEnv: "BROKEN_URL" }),
        notifier({ type: "webhook", name: "ftp", urlEnv: "FTP_URL" }),
      ],
    });
    expect(deliveries).toEqual([
      {
        notifier: "unset",
        events: 1,
        ok: false,
        attempts: 0,
        error: "not sent: variable SLACK_WEBHOOK_URL is empty or not set",
      },
      {
        notifier: "broken",
        events: 1,
        ok: false,
        attempts: 0,
        error: "not sent: variable BROKEN_URL does not hold a URL",
      },
      {
        notifier: "ftp",
        events: 1,
        ok: false,
        attempts: 0,
        error: "not sent: variable FTP_URL holds a ftp URL, not http(s)",
      },
    ]);
  });

  it("delivers to the other notifiers when one fails", async () => {
    const good = receiver.url("/good");
    const { send } = harness({ GOOD_URL: good, DOWN_URL: `http://127.0.0.1:${await freePort()}/down` });
    const deliveries = await send([FAILED], {
      notifiers: [
        notifier({ type: "webhook", name: "down", urlEnv: "DOWN_URL" }),
        notifier({ type: "webhook", name: "good", urlEnv: "GOOD_URL" }),
      ],
      retry: { attempts: 1 },
    });
    expect(deliveries.map((delivery) => [delivery.notifier, delivery.ok])).toEqual([
      ["down", false],
      ["good", true],
    ]);
    expect(receiver.received.map((request) => request.path)).toEqual(["/good"]);
  });

  describe("filters", () => {
    const events = [FAILED, RECOVERED, DRIFT, TARGET_DOWN];
    const eventKinds = () =>
      receiver.jsonBodies().map((body) => (body as { events: { kind: string }[] }).events.map((e) => e.kind));

    it("sends only the event kinds a notifier asks for", async () => {
      const { send } = harness({ NOTIFY_URL: receiver.url("/hook") });
      const deliveries = await send(events, {
        notifiers: [notifier({ type: "webhook", events: ["failed", "recovered"] })],
      });
      expect(deliveries).toEqual([{ notifier: "ops", events: 2, ok: true, attempts: 1 }]);
      expect(eventKinds()).toEqual([["failed", "recovered"]]);
    });

    it("sends only events of at least the minimum severity", async () => {
      const { send } = harness({ NOTIFY_URL: receiver.url("/hook") });
      await send(events, { notifiers: [notifier({ type: "webhook", minSeverity: "warning" })] });
      expect(eventKinds()).toEqual([["failed", "drift", "target-unavailable"]]);
    });

    it("sends only events of the listed targets", async () => {
      const { send } = harness({ NOTIFY_URL: receiver.url("/hook") });
      await send(events, { notifiers: [notifier({ type: "webhook", targets: ["staging", "edge"] })] });
      expect(eventKinds()).toEqual([["drift", "target-unavailable"]]);
    });

    it("sends nothing, and lists no delivery, when the filters leave no event", async () => {
      const { send } = harness({ NOTIFY_URL: receiver.url("/hook") });
      const deliveries = await send(events, {
        notifiers: [notifier({ type: "webhook", events: ["reminder"] })],
      });
      expect(deliveries).toEqual([]);
      expect(receiver.received).toHaveLength(0);
    });
  });

  it("keeps a secret in a cause out of every body", async () => {
    const secretValue = "pg-Password-4711";
    const env = {
      SLACK_URL: receiver.url("/slack"),
      TEAMS_URL: receiver.url("/teams"),
      APPRISE_URL: receiver.url("/notify/croncd"),
      HOOK_URL: receiver.url("/hook"),
    };
    const { send, masker } = harness(env);
    masker.add(secretValue);
    const leaky = { ...FAILED, cause: `connection to postgres://app:${secretValue}@db failed` };
    await send([leaky, { ...DRIFT, details: [`environment DB_PASSWORD: ${secretValue} → other`] }], {
      notifiers: [
        notifier({ type: "slack", name: "s", urlEnv: "SLACK_URL" }),
        notifier({ type: "teams", name: "t", urlEnv: "TEAMS_URL" }),
        notifier({ type: "apprise", name: "a", urlEnv: "APPRISE_URL" }),
        notifier({ type: "webhook", name: "w", urlEnv: "HOOK_URL" }),
      ],
    });
    expect(receiver.received).toHaveLength(4);
    for (const request of receiver.received) {
      expect(request.bodyText).not.toContain(secretValue);
      expect(request.bodyText).toContain("postgres://app:***@db failed");
    }
  });

  it("sends identical messages for identical failures at different times (no timestamp in them)", async () => {
    const env = {
      SLACK_URL: receiver.url("/slack"),
      TEAMS_URL: receiver.url("/teams"),
      APPRISE_URL: receiver.url("/notify/croncd"),
      HOOK_URL: receiver.url("/hook"),
    };
    const notifiers = [
      notifier({ type: "slack", name: "s", urlEnv: "SLACK_URL" }),
      notifier({ type: "teams", name: "t", urlEnv: "TEAMS_URL" }),
      notifier({ type: "apprise", name: "a", urlEnv: "APPRISE_URL" }),
      notifier({ type: "webhook", name: "w", urlEnv: "HOOK_URL", secretEnv: "HOOK_KEY" }),
    ];
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      vi.setSystemTime(new Date("2031-03-04T05:06:07Z"));
      await harness({ ...env, HOOK_KEY: "hook-key-1" }).send([FAILED, DRIFT], { notifiers });
      vi.setSystemTime(new Date("2032-08-09T10:11:12Z"));
      await harness({ ...env, HOOK_KEY: "hook-key-1" }).send([FAILED, DRIFT], { notifiers });
    } finally {
      vi.useRealTimers();
    }
    const byPath = (path: string) => receiver.received.filter((request) => request.path === path);
    for (const path of ["/slack", "/teams", "/notify/croncd", "/hook"]) {
      const [first, second] = byPath(path);
      expect(second?.bodyText).toBe(first?.bodyText);
      expect(first?.bodyText).not.toMatch(/203[12]|\d{2}:\d{2}:\d{2}/);
    }
    const signatures = byPath("/hook").map((request) => request.headers["x-croncd-signature"]);
    expect(signatures[1]).toBe(signatures[0]);
  });

  it("sends nothing when the run has no events", async () => {
    const { send } = harness({ NOTIFY_URL: receiver.url("/hook") });
    expect(await send([], { notifiers: [notifier({ type: "webhook" })] })).toEqual([]);
    expect(receiver.received).toHaveLength(0);
  });
});

/** A loopback port nobody listens on: bound, then released. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}
