// An Apprise API server stand-in on loopback: the fields apprise-api reads from a JSON body on
// /notify/KEY (stateful) and /notify (stateless), and its 204 "nothing saved under this key".
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { WebhookReceiver } from "../../../helpers/webhook-receiver.js";
import { COMMIT_URL, FAILED, harness, JOB_URL, notifier, RECOVERED, TARGET_DOWN } from "./fixtures.js";

describe("Apprise notifier", () => {
  let receiver: WebhookReceiver;
  beforeEach(async () => (receiver = await WebhookReceiver.start()));
  afterEach(() => receiver.stop());

  it("posts title, markdown body, type and tags to a stateful key", async () => {
    const { send } = harness({ APPRISE_URL: receiver.url("/notify/croncd") });
    const deliveries = await send([FAILED, RECOVERED], {
      notifiers: [notifier({ type: "apprise", urlEnv: "APPRISE_URL", tags: ["ops", "oncall"] })],
    });
    expect(deliveries).toEqual([{ notifier: "ops", events: 2, ok: true, attempts: 1 }]);
    expect(receiver.received[0]?.path).toBe("/notify/croncd");
    expect(receiver.received[0]?.headers.accept).toBe("application/json");
    expect(receiver.jsonBodies()[0]).toEqual({
      title: "croncd prod: 1 failed, 1 recovered",
      body: [
        "**❌ stack web on prod failed**",
        "",
        "- Target: prod",
        "- Stack: web",
        "- Service: web_api",
        `- Commit: [4f2a9c1e7b3d](${COMMIT_URL})`,
        `- CI job: [open the job log](${JOB_URL})`,
        "",
        "```",
        FAILED.cause,
        "```",
        "",
        "**✅ stack db on prod recovered**",
        "",
        "- Target: prod",
        "- Stack: db",
        `- Commit: [4f2a9c1e7b3d](${COMMIT_URL})`,
        `- CI job: [open the job log](${JOB_URL})`,
      ].join("\n"),
      type: "failure",
      format: "markdown",
      tag: "ops, oncall",
    });
  });

  it("sends the Apprise URLs from urlsEnv to the stateless endpoint", async () => {
    const urls = "mailtos://alerts:mailpass@mail.example.com, ntfys://ntfy.example.com/croncd";
    const { send } = harness({ APPRISE_URL: receiver.url("/notify"), APPRISE_URLS: urls });
    await send([RECOVERED], {
      notifiers: [notifier({ type: "apprise", urlEnv: "APPRISE_URL", urlsEnv: "APPRISE_URLS" })],
    });
    expect(receiver.jsonBodies()[0]).toMatchObject({
      urls,
      type: "success",
      title: "croncd prod: 1 recovered",
    });
  });

  it("keeps each of the Apprise URLs out of an error that quotes one back", async () => {
    const urls = "mailtos://alerts:mailpass@mail.example.com, ntfys://ntfy.example.com/croncd";
    receiver.otherwise = {
      status: 400,
      body: JSON.stringify({ error: "unsupported URL: mailtos://alerts:mailpass@mail.example.com" }),
    };
    const { send, logText } = harness({ APPRISE_URL: receiver.url("/notify"), APPRISE_URLS: urls });
    const [delivery] = await send([FAILED], {
      notifiers: [notifier({ type: "apprise", urlEnv: "APPRISE_URL", urlsEnv: "APPRISE_URLS" })],
    });
    expect(delivery?.error).toBe(
      "not delivered after 1 attempt: POST $APPRISE_URL answered 400: unsupported URL: ***",
    );
    expect(logText()).not.toContain("mailpass");
  });

  it("calls an unreachable target a warning", async () => {
    const { send } = harness({ APPRISE_URL: receiver.url("/notify/croncd") });
    await send([TARGET_DOWN], { notifiers: [notifier({ type: "apprise", urlEnv: "APPRISE_URL" })] });
    expect(receiver.jsonBodies()[0]).toMatchObject({
      type: "warning",
      title: "croncd edge: 1 target unreachable",
    });
  });

  it("reports a key with no saved configuration (204) as not delivered, without retrying", async () => {
    receiver.otherwise = { status: 204 };
    const { send } = harness({ APPRISE_URL: receiver.url("/notify/missing-key") });
    const deliveries = await send([FAILED], {
      notifiers: [notifier({ type: "apprise", urlEnv: "APPRISE_URL" })],
    });
    expect(deliveries).toEqual([
      {
        notifier: "ops",
        events: 1,
        ok: false,
        attempts: 1,
        error: "not delivered after 1 attempt: the Apprise server has no configuration saved under this key",
      },
    ]);
    expect(receiver.received).toHaveLength(1);
  });
});
