// Shared pieces of the notifier tests: events as the alert stage produces them, notifier configs
// parsed by the real croncd.yaml schema, and a logger whose output the test can read.
import { Writable } from "node:stream";
import type { AlertEvent } from "../../../../src/alerts/event.js";
import { notifierSchema, type NotifierConfig } from "../../../../src/alerts/notifiers/config.js";
import { sendAlertEvents, type SendAlertOptions } from "../../../../src/alerts/notifiers/index.js";
import { createLogger } from "../../../../src/report/logger.js";
import { SecretMasker } from "../../../../src/report/mask.js";

export const COMMIT_SHA = "4f2a9c1e7b3d5a6c8e0f1a2b3c4d5e6f7a8b9c0d";
export const COMMIT_URL = `https://gitlab.example.com/platform/config/-/commit/${COMMIT_SHA}`;
export const JOB_URL = "https://gitlab.example.com/platform/config/-/jobs/4242";

export const FAILED: AlertEvent = {
  kind: "failed",
  severity: "error",
  target: "prod",
  item: { kind: "stack", name: "web" },
  service: "web_api",
  cause: "service web_api: task failed: non-zero exit (1): bind: address already in use",
  commit: { sha: COMMIT_SHA, url: COMMIT_URL },
  jobUrl: JOB_URL,
  fingerprint: "9d3c0a4b1e2f7a86",
};

export const RECOVERED: AlertEvent = {
  kind: "recovered",
  severity: "info",
  target: "prod",
  item: { kind: "stack", name: "db" },
  commit: { sha: COMMIT_SHA, url: COMMIT_URL },
  jobUrl: JOB_URL,
};

export const DRIFT: AlertEvent = {
  kind: "drift",
  severity: "warning",
  target: "staging",
  item: { kind: "stack", name: "web" },
  service: "web_api",
  details: ["replicas: 2 → 5 (git says 2)", "image: web:1.4 → web:1.5-hotfix"],
  commit: { sha: COMMIT_SHA },
  jobUrl: JOB_URL,
};

export const TARGET_DOWN: AlertEvent = {
  kind: "target-unavailable",
  severity: "warning",
  target: "edge",
  cause: "cannot connect to the Docker daemon at unix:///var/run/docker.sock",
  jobUrl: JOB_URL,
};

/** A notifier entry as croncd.yaml gives it (defaults applied by the real schema). */
export function notifier(entry: Record<string, unknown>): NotifierConfig {
  return notifierSchema.parse({ name: "ops", urlEnv: "NOTIFY_URL", ...entry });
}

export interface Harness {
  masker: SecretMasker;
  /** Everything the logger wrote. */
  logText: () => string;
  send: (
    events: readonly AlertEvent[],
    options: Partial<SendAlertOptions> & { notifiers: NotifierConfig[] },
  ) => ReturnType<typeof sendAlertEvents>;
}

/** sendAlertEvents with a masker and logger of its own, and retries that wait milliseconds. */
export function harness(env: NodeJS.ProcessEnv): Harness {
  const masker = new SecretMasker();
  let written = "";
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      written += chunk.toString();
      callback();
    },
  });
  const log = createLogger({ stream, env: {}, masker });
  return {
    masker,
    logText: () => written,
    send: (events, options) =>
      sendAlertEvents(events, {
        env,
        masker,
        log,
        timeoutMs: 2000,
        retry: { attempts: 3, initialDelayMs: 1, maxDelayMs: 20 },
        ...options,
      }),
  };
}
