// Microsoft Teams Workflows webhook against a real HTTP server on loopback: the message envelope
// the "When a Teams webhook request is received" trigger reads, and the Adaptive Card inside it.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { WebhookReceiver } from "../../../helpers/webhook-receiver.js";
import { COMMIT_URL, DRIFT, FAILED, harness, JOB_URL, notifier, RECOVERED } from "./fixtures.js";

interface CardElement {
  type: string;
  text?: string;
  color?: string;
  items?: CardElement[];
  facts?: { title: string; value: string }[];
}
interface TeamsBody {
  type: string;
  attachments: {
    contentType: string;
    content: { type: string; version: string; body: CardElement[]; actions?: unknown[] };
  }[];
}

describe("Teams notifier", () => {
  let receiver: WebhookReceiver;
  beforeEach(async () => {
    receiver = await WebhookReceiver.start();
    // Workflows accept the request and run the flow later.
    receiver.otherwise = { status: 202 };
  });
  afterEach(() => receiver.stop());

  it("posts one message with an Adaptive Card: title, then a container per event", async () => {
    const { send } = harness({
      TEAMS_URL: receiver.url("/workflows/abc/triggers/manual/paths/invoke?api-version=1&sig=SECRETSIG"),
    });
    const deliveries = await send([FAILED, RECOVERED, DRIFT], {
      notifiers: [notifier({ type: "teams", name: "platform-channel", urlEnv: "TEAMS_URL" })],
    });
    expect(deliveries).toEqual([{ notifier: "platform-channel", events: 3, ok: true, attempts: 1 }]);

    const body = receiver.jsonBodies()[0] as TeamsBody;
    expect(body.type).toBe("message");
    expect(body.attachments).toHaveLength(1);
    const [attachment] = body.attachments;
    expect(attachment?.contentType).toBe("application/vnd.microsoft.card.adaptive");
    const card = attachment?.content;
    expect(card?.type).toBe("AdaptiveCard");
    expect(card?.version).toBe("1.4");
    expect(card?.body[0]).toMatchObject({
      type: "TextBlock",
      text: "croncd prod, staging: 1 failed, 1 recovered, 1 changed outside git",
    });
    const containers = card?.body.slice(1) ?? [];
    expect(containers.map((element) => element.type)).toEqual(["Container", "Container", "Container"]);

    const failed = containers[0]?.items ?? [];
    expect(failed[0]).toMatchObject({
      type: "TextBlock",
      text: "❌ stack web on prod failed",
      color: "Attention",
    });
    expect(failed[1]).toEqual({
      type: "FactSet",
      facts: [
        { title: "Target", value: "prod" },
        { title: "Stack", value: "web" },
        { title: "Service", value: "web_api" },
        { title: "Commit", value: `[4f2a9c1e7b3d](${COMMIT_URL})` },
        { title: "CI job", value: `[open the job log](${JOB_URL})` },
      ],
    });
    expect(failed[2]).toMatchObject({ type: "TextBlock", text: FAILED.cause, fontType: "Monospace" });
    expect(containers[1]?.items?.[0]).toMatchObject({ text: "✅ stack db on prod recovered", color: "Good" });
    expect(containers[2]?.items?.[0]).toMatchObject({ color: "Warning" });
    expect(containers[2]?.items?.at(-1)?.text).toBe(
      "- replicas: 2 → 5 (git says 2)\r- image: web:1.4 → web:1.5-hotfix",
    );
    expect(card?.actions).toEqual([{ type: "Action.OpenUrl", title: "Open the CI job", url: JOB_URL }]);
  });
});
