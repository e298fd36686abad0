// Slack incoming webhook against a real HTTP server on loopback: Block Kit structure, the `text`
// fallback, links, and mrkdwn escaping (a cause must not turn into a mention or a link).
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AlertEvent } from "../../../../src/alerts/event.js";
import { WebhookReceiver } from "../../../helpers/webhook-receiver.js";
import { COMMIT_URL, DRIFT, FAILED, harness, JOB_URL, notifier, RECOVERED } from "./fixtures.js";

interface SlackBody {
  text: string;
  blocks: {
    type: string;
    text?: { type: string; text: string };
    fields?: { type: string; text: string }[];
  }[];
}

describe("Slack notifier", () => {
  let receiver: WebhookReceiver;
  beforeEach(async () => (receiver = await WebhookReceiver.start()));
  afterEach(() => receiver.stop());

  const post = async (events: AlertEvent[]): Promise<SlackBody> => {
    const { send } = harness({ SLACK_WEBHOOK_URL: receiver.url("/services/T0001/B0002/XXXXsecretXXXX") });
    const deliveries = await send(events, {
      notifiers: [notifier({ type: "slack", urlEnv: "SLACK_WEBHOOK_URL" })],
    });
    expect(deliveries).toEqual([{ notifier: "ops", events: events.length, ok: true, attempts: 1 }]);
    expect(receiver.received).toHaveLength(1);
    return receiver.jsonBodies()[0] as SlackBody;
  };

  it("sends a header, then per event its headline with the cause and a section of fields", async () => {
    const body = await post([FAILED, RECOVERED]);
    expect(body.blocks.map((block) => block.type)).toEqual([
      "header",
      "section",
      "section",
      "divider",
      "section",
      "section",
    ]);
    expect(body.blocks[0]?.text).toEqual({
      type: "plain_text",
      text: "croncd prod: 1 failed, 1 recovered",
      emoji: true,
    });
    expect(body.blocks[1]?.text).toEqual({
      type: "mrkdwn",
      text: "*❌ stack web on prod failed*\n```service web_api: task failed: non-zero exit (1): bind: address already in use```",
    });
    expect(body.blocks[2]?.fields?.map((field) => field.text)).toEqual([
      "*Target*\nprod",
      "*Stack*\nweb",
      "*Service*\nweb_api",
      `*Commit*\n<${COMMIT_URL}|4f2a9c1e7b3d>`,
      `*CI job*\n<${JOB_URL}|open the job log>`,
    ]);
    expect(body.blocks[4]?.text?.text).toBe("*✅ stack db on prod recovered*");
    expect(body.text).toBe(
      "croncd prod: 1 failed, 1 recovered\n❌ stack web on prod failed\n✅ stack db on prod recovered",
    );
  });

  it("lists drift's differences and names a commit without a link when the source has no web URL", async () => {
    const body = await post([DRIFT]);
    expect(body.blocks[1]?.text?.text).toBe(
      "*🔀 stack web on staging was changed outside git*\n• replicas: 2 → 5 (git says 2)\n• image: web:1.4 → web:1.5-hotfix",
    );
    expect(body.blocks[2]?.fields?.map((field) => field.text)).toContain("*Commit*\n4f2a9c1e7b3d");
  });

  it("escapes a cause so it cannot mention @channel or forge a link", async () => {
    const body = await post([{ ...FAILED, cause: "bad <!channel> & <https://evil.example|click>" }]);
    const section = body.blocks[1]?.text?.text ?? "";
    expect(section).toContain("bad &lt;!channel&gt; &amp; &lt;https://evil.example|click&gt;");
    expect(section).not.toContain("<!channel>");
  });

  it("keeps a section within Slack's 3000 characters however much escaping lengthens a cause", async () => {
    const body = await post([{ ...FAILED, cause: "<&>".repeat(333), details: ["x".repeat(900)] }]);
    const section = body.blocks[1]?.text?.text ?? "";
    expect(section.length).toBeLessThanOrEqual(3000);
    expect(section).toMatch(/^\*❌ stack web on prod failed\*\n```(&lt;&amp;&gt;)+.*…```\n• x+$/s);
  });

  it("keeps a run with many events within Slack's 50 blocks and says how many are not shown", async () => {
    const events = Array.from({ length: 30 }, (_, i) => ({
      ...FAILED,
      item: { kind: "stack", name: `app${i}` },
    }));
    const body = await post(events);
    expect(body.blocks.length).toBeLessThanOrEqual(50);
    expect(body.blocks.at(-1)).toEqual({
      type: "context",
      elements: [{ type: "mrkdwn", text: "… and 20 more events: see the CI job's report" }],
    });
    expect(body.blocks[0]?.text?.text).toBe("croncd prod: 30 failed");
  });
});
