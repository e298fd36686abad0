import { Writable } from "node:stream";
import { beforeEach, describe, expect, it } from "vitest";
import { ALERT_DEFAULTS } from "../../../src/alerts/config.js";
import type { AlertEvent } from "../../../src/alerts/event.js";
import type { syncIssue } from "../../../src/alerts/issue-tracker/index.js";
import type { NotifierDelivery } from "../../../src/alerts/notifiers/index.js";
import type { TargetConfig } from "../../../src/config/schema.js";
import { changeEntry, type ChangeSetEntry } from "../../../src/model/changeset.js";
import { alertAfterReconcile, type AlertSinks } from "../../../src/pipeline/alert.js";
import type { PulledSource } from "../../../src/pipeline/pull.js";
import { createLogger } from "../../../src/report/logger.js";
import { memoryTargetConfig, memoryWorld } from "./memory-target.js";

const targets = [memoryTargetConfig("alpha")] as unknown as TargetConfig[];
const sources: PulledSource[] = [
  {
    name: "platform",
    url: "https://github.com/acme/config.git",
    ref: "main",
    commit: "0123456789abcdef0123456789abcdef01234567",
    durationMs: 1,
  },
];
const release = (name: string, action: ChangeSetEntry["action"], reason: string) =>
  changeEntry({ kind: "release", name, target: "alpha" }, action, reason);

/** What the issue tracker is asked, by the interface fixed between the parts. */
type IssueSyncRequest = Parameters<typeof syncIssue>[0];

describe("the alert stage", () => {
  let sent: AlertEvent[][];
  let synced: IssueSyncRequest[];
  let deliveries: NotifierDelivery[];
  let logged: string;
  const sinks: AlertSinks = {
    sendAlertEvents: (events) => {
      sent.push([...events]);
      return Promise.resolve(deliveries);
    },
    syncIssue: (request) => {
      synced.push(request);
      return Promise.resolve({ action: "unchanged" });
    },
  };
  const alerts = (extra: Record<string, unknown> = {}) => ({
    ...ALERT_DEFAULTS,
    notifiers: [{ type: "webhook" as const, name: "ops", urlEnv: "HOOK", minSeverity: "info" as const }],
    ...extra,
  });
  const stage = (entries: ChangeSetEntry[], extra: Record<string, unknown> = {}) => {
    const log = createLogger({
      stream: new Writable({
        write: (chunk: Buffer, _encoding, done) => {
          logged += chunk.toString();
          done();
        },
      }),
    });
    return alertAfterReconcile({
      alerts: alerts(extra),
      targets,
      entries,
      sources,
      env: { CI_JOB_URL: "https://gitlab.example/acme/config/-/jobs/7" },
      log,
      now: new Date("2026-12-05T06:00:00Z"),
      sinks,
    });
  };

  beforeEach(() => {
    memoryWorld.reset();
    sent = [];
    synced = [];
    deliveries = [{ notifier: "ops", events: 1, ok: true, attempts: 1 }];
    logged = "";
  });

  it("sends a failure once, with its commit link and job, and keeps what it said in the target", async () => {
    const failing = [release("web", "failed", "apply failed: boom")];
    const first = await stage(failing);
    expect(first.events).toMatchObject([
      {
        kind: "failed",
        target: "alpha",
        item: { kind: "release", name: "web" },
        commit: {
          sha: sources[0]?.commit,
          url: `https://github.com/acme/config/commit/${sources[0]?.commit}`,
        },
        jobUrl: "https://gitlab.example/acme/config/-/jobs/7",
      },
    ]);
    expect(sent).toHaveLength(1);
    expect(first.deliveries).toEqual(deliveries);
    expect(memoryWorld.alertStates.get("alpha")?.items["release/web"]?.failure).toBeDefined();
    expect(logged).toContain("alert failed (error): [alpha] release web: apply failed: boom");

    const second = await stage(failing);
    expect(second.events).toEqual([]);
    expect(sent).toHaveLength(1);
  });

  it("writes no state for a target that never failed", async () => {
    await stage([release("web", "unchanged", "matches git")]);
    expect(memoryWorld.alertStates.has("alpha")).toBe(false);
    expect(sent).toEqual([]);
  });

  it("a state that cannot be read is a warning, and every failure is alerted again", async () => {
    await stage([release("web", "failed", "apply failed: boom")]);
    memoryWorld.alertStoreFault = "read";
    const outcome = await stage([release("web", "failed", "apply failed: boom")]);
    expect(outcome.events.map((event) => event.kind)).toEqual(["failed"]);
    expect(outcome.warnings).toEqual([
      "target alpha: alert state not read (read refused); alerting on every failure",
    ]);
  });

  it("a state that cannot be written is a warning; the events still go out", async () => {
    memoryWorld.alertStoreFault = "write";
    const outcome = await stage([release("web", "failed", "apply failed: boom")]);
    expect(outcome.events).toHaveLength(1);
    expect(sent).toHaveLength(1);
    expect(outcome.warnings).toEqual([
      "target alpha: alert state not kept (write refused); the next run may alert again",
    ]);
  });

  it("a notifier that failed is a warning", async () => {
    deliveries = [{ notifier: "ops", events: 1, ok: false, error: "POST $HOOK answered 500", attempts: 3 }];
    const outcome = await stage([release("web", "failed", "apply failed: boom")]);
    expect(outcome.warnings).toEqual(["notifier ops: not delivered: POST $HOOK answered 500"]);
  });

  it("gives the issue tracker the target's failures on every run, and says when the source was away", async () => {
    const issue = { github: { repository: "acme/ops", tokenEnv: "GH_TOKEN" }, labels: ["croncd"] };
    await stage([release("web", "failed", "apply failed: boom"), release("db", "unchanged", "ok")], {
      issue,
    });
    await stage([release("web", "failed", "apply failed: boom")], { issue });
    const away = changeEntry({ kind: "target", name: "alpha", target: "alpha" }, "failed", "nothing done", {
      unavailable: "source",
    });
    const outcome = await stage([away], { issue });
    expect(synced.map((request) => request.failures.map((failure) => failure.item?.name))).toEqual([
      ["web"],
      ["web"],
      [],
    ]);
    expect(synced[2]?.unavailable).toBe("source");
    expect(synced[0]?.failures[0]).toMatchObject({ cause: "apply failed: boom" });
    expect(outcome.issues).toEqual([{ target: "alpha", action: "unchanged" }]);
  });
});
