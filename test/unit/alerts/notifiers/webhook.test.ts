// The generic webhook against a real HTTP server on loopback: the versioned body, and a signature
// the test checks the way a receiver would (HMAC-SHA256 over the raw bytes, constant-time compare).
import { createHmac, timingSafeEqual } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { WebhookReceiver } from "../../../helpers/webhook-receiver.js";
import { COMMIT_SHA, COMMIT_URL, DRIFT, FAILED, harness, JOB_URL, notifier, RECOVERED } from "./fixtures.js";

const KEY = "whsec-7f3e1b9a-signing-key";

describe("webhook notifier", () => {
  let receiver: WebhookReceiver;
  beforeEach(async () => (receiver = await WebhookReceiver.start()));
  afterEach(() => receiver.stop());

  const env = () => ({ NOTIFY_URL: receiver.url("/hooks/croncd?token=abc123"), NOTIFY_KEY: KEY });

  it("posts one croncd.alerts/v1 body holding every event of the run", async () => {
    const { send } = harness(env());
    const deliveries = await send([FAILED, RECOVERED, DRIFT], { notifiers: [notifier({ type: "webhook" })] });

    expect(deliveries).toEqual([{ notifier: "ops", events: 3, ok: true, attempts: 1 }]);
    expect(receiver.received).toHaveLength(1);
    const [request] = receiver.received;
    expect(request?.method).toBe("POST");
    expect(request?.path).toBe("/hooks/croncd?token=abc123");
    expect(request?.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(JSON.parse(request?.bodyText ?? "")).toEqual({
      schema: "croncd.alerts/v1",
      title: "croncd prod, staging: 1 failed, 1 recovered, 1 changed outside git",
      events: [
        {
          kind: "failed",
          severity: "error",
          target: "prod",
          item: { kind: "stack", name: "web" },
          service: "web_api",
          headline: "stack web on prod failed",
          cause: FAILED.cause,
          commit: { sha: COMMIT_SHA, url: COMMIT_URL },
          jobUrl: JOB_URL,
          fingerprint: FAILED.fingerprint,
        },
        {
          kind: "recovered",
          severity: "info",
          target: "prod",
          item: { kind: "stack", name: "db" },
          headline: "stack db on prod recovered",
          commit: { sha: COMMIT_SHA, url: COMMIT_URL },
          jobUrl: JOB_URL,
        },
        {
          kind: "drift",
          severity: "warning",
          target: "staging",
          item: { kind: "stack", name: "web" },
          service: "web_api",
          headline: "stack web on staging was changed outside git",
          details: DRIFT.details,
          commit: { sha: COMMIT_SHA },
          jobUrl: JOB_URL,
        },
      ],
    });
    expect(request?.headers["x-croncd-signature"]).toBeUndefined();
  });

  it("signs the raw body with HMAC-SHA256 when secretEnv is set", async () => {
    const { send } = harness(env());
    await send([FAILED], { notifiers: [notifier({ type: "webhook", secretEnv: "NOTIFY_KEY" })] });

    const [request] = receiver.received;
    const header = String(request?.headers["x-croncd-signature"]);
    expect(header).toMatch(/^sha256=[0-9a-f]{64}$/);
    const expected = createHmac("sha256", KEY)
      .update(request?.bodyText ?? "")
      .digest();
    expect(timingSafeEqual(Buffer.from(header.slice("sha256=".length), "hex"), expected)).toBe(true);
    // A receiver holding another key rejects it.
    const forged = createHmac("sha256", "another-key")
      .update(request?.bodyText ?? "")
      .digest();
    expect(timingSafeEqual(Buffer.from(header.slice("sha256=".length), "hex"), forged)).toBe(false);
  });

  it("reports a signing key variable that is not set, and sends nothing unsigned", async () => {
    const { send } = harness({ NOTIFY_URL: receiver.url("/hooks/croncd") });
    const deliveries = await send([FAILED], {
      notifiers: [notifier({ type: "webhook", secretEnv: "NOTIFY_KEY" })],
    });
    expect(deliveries).toEqual([
      {
        notifier: "ops",
        events: 1,
        ok: false,
        attempts: 0,
        error: "not sent: variable NOTIFY_KEY is empty or not set",
      },
    ]);
    expect(receiver.received).toHaveLength(0);
  });
});
