// One contract over every registered notifier: whatever the format, a message names what a person
// needs to act on an alert (target, stack, service, cause, commit with its link, the CI job), and
// only the events that passed the notifier's filters.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { NOTIFIERS } from "../../../../src/alerts/notifiers/registry.js";
import type { NotifierType } from "../../../../src/alerts/notifiers/types.js";
import { WebhookReceiver } from "../../../helpers/webhook-receiver.js";
import { COMMIT_URL, DRIFT, FAILED, harness, JOB_URL, notifier, RECOVERED } from "./fixtures.js";

const TYPES = Object.keys(NOTIFIERS) as NotifierType[];

describe.each(TYPES)("%s notifier contract", (type) => {
  let receiver: WebhookReceiver;
  beforeEach(async () => (receiver = await WebhookReceiver.start()));
  afterEach(() => receiver.stop());

  it("names target, stack, service, cause, commit with its link and the CI job", async () => {
    const { send } = harness({ NOTIFY_URL: receiver.url("/endpoint") });
    const deliveries = await send([FAILED], { notifiers: [notifier({ type })] });
    expect(deliveries).toEqual([{ notifier: "ops", events: 1, ok: true, attempts: 1 }]);
    const body = receiver.received[0]?.bodyText ?? "";
    for (const expected of [
      "prod",
      "web",
      "web_api",
      FAILED.cause ?? "",
      "4f2a9c1e7b3d",
      COMMIT_URL,
      JOB_URL,
    ]) {
      expect(body).toContain(JSON.stringify(expected).slice(1, -1));
    }
  });

  it("holds only the events its filters pass", async () => {
    const { send } = harness({ NOTIFY_URL: receiver.url("/endpoint") });
    await send([FAILED, RECOVERED, DRIFT], { notifiers: [notifier({ type, events: ["recovered"] })] });
    const body = receiver.received[0]?.bodyText ?? "";
    expect(body).toContain("stack db on prod recovered");
    expect(body).not.toContain("stack web on prod failed");
    expect(body).not.toContain("changed outside git");
  });
});
