// Alerts on the real test Swarm, with the real CLI and a webhook endpoint on loopback: a
// notification goes out on a change of state only, the state lives in the Swarm (deleting it makes
// croncd alert again), and an unreachable git server is "unavailable" (exit 3, nothing pruned,
// nothing said within the grace period).
import { createHmac } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AlertEvent } from "../../src/alerts/event.js";
import { startAlertInbox, type AlertInbox } from "../helpers/alert-inbox.js";
import { readReport, runCroncd, writeConfig, type JsonReport } from "../helpers/croncd.js";
import {
  CRASH_LOOP_COMPOSE,
  docker,
  listServices,
  removeAllStacks,
  TEST_IMAGE,
  uniqueStackName,
} from "../helpers/docker.js";
import { createBareRepo, TestRepo } from "../helpers/git-repo.js";
import { startGitServer, type GitServer } from "../helpers/git-server.js";
import { startSwitchableProxy, type SwitchableProxy } from "../helpers/switchable-proxy.js";

const HEALTHY = `services:\n  app:\n    image: ${TEST_IMAGE}\n    command: ["sleep", "3600"]\n`;
/** Refused at deploy time: the external network's name (a secret here) does not exist. */
const MISSING_NETWORK = `services:
  app:
    image: ${TEST_IMAGE}
    command: ["sleep", "3600"]
    networks: [outside]
networks:
  outside:
    external: true
    name: \${HIDDEN_NETWORK}
`;
const SECRET_NETWORK = "net-s3cr3t-4f9a2c";
const HOOK_SECRET = "hook-hmac-key-7d1e";
const GIT_TOKEN = "glpat-alerts-0123456789";

type AlertReport = JsonReport & {
  events?: AlertEvent[];
  deliveries?: Array<{ notifier: string; ok: boolean; events: number }>;
  warnings?: string[];
};

/** What each run said: its events as `kind name`, in order. */
const eventsOf = (report: AlertReport) =>
  (report.events ?? []).map((event) => `${event.kind}${event.item ? ` ${event.item.name}` : ""}`);

describe("alerts on a real Swarm", () => {
  let work: string;
  let inbox: AlertInbox;

  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), "croncd-alerts-"));
    inbox = await startAlertInbox();
  });

  afterAll(async () => {
    await inbox.stop();
    await rm(work, { recursive: true, force: true });
  });

  const alertsBlock = (unavailableGrace = 3600) => ({
    alerts: {
      unavailableGrace,
      notifiers: [{ type: "webhook", name: "ops", urlEnv: "ALERT_HOOK_URL", secretEnv: "ALERT_HOOK_SECRET" }],
    },
  });
  const runEnv = () => ({
    ALERT_HOOK_URL: inbox.url,
    ALERT_HOOK_SECRET: HOOK_SECRET,
    HIDDEN_NETWORK: SECRET_NETWORK,
    GIT_TOKEN,
  });
  /** The webhook bodies that mention `name` (each scenario has its own target and stack names). */
  const bodiesAbout = (name: string) =>
    inbox.received.map((request) => request.body).filter((b) => b.includes(name));

  describe("transitions", () => {
    const target = uniqueStackName("alert");
    const app = `${target}-app`;
    const steady = `${target}-steady`;
    let repo: TestRepo;
    let bare: string;
    let configFile: string;
    const reportFile = () => path.join(work, "transitions.json");

    beforeAll(async () => {
      bare = await createBareRepo(work, "transitions.git");
      repo = await TestRepo.create(path.join(work, "transitions"), {
        [`stacks/${app}/compose.yaml`]: CRASH_LOOP_COMPOSE,
        [`stacks/${steady}/compose.yaml`]: HEALTHY,
      });
      await repo.push(bare);
      configFile = await writeConfig(
        path.join(work, "transitions-config"),
        [{ name: "platform", url: bare }],
        [{ name: target, source: "platform", path: "stacks", secretEnv: ["HIDDEN_NETWORK"] }],
        alertsBlock(),
      );
    });
    afterAll(() => removeAllStacks(target));

    const reconcile = async (expectedExit: number) => {
      const result = await runCroncd(["reconcile", "--config", configFile, "--report", reportFile()], {
        cwd: work,
        env: runEnv(),
      });
      expect(result.exitCode, result.output).toBe(expectedExit);
      return { result, report: (await readReport(reportFile())) as AlertReport };
    };
    const publish = async (compose: string, message: string) => {
      await repo.write(`stacks/${app}/compose.yaml`, compose);
      await repo.commit(message);
      await repo.push(bare);
    };

    it("failure, same failure, other failure, recovery, quiet: one notification per change", async () => {
      const first = await reconcile(1);
      expect(eventsOf(first.report)).toEqual([`failed ${app}`]);
      expect(bodiesAbout(app)).toHaveLength(1);
      expect(bodiesAbout(steady)).toEqual([]);
      // The webhook got the event as croncd.alerts/v1, signed with the key named by secretEnv.
      const [request] = inbox.received.filter((received) => received.body.includes(app));
      const body = JSON.parse(request?.body ?? "{}") as { schema: string; events: AlertEvent[] };
      expect(body.schema).toBe("croncd.alerts/v1");
      expect(body.events).toMatchObject([
        { kind: "failed", severity: "error", target, item: { kind: "stack", name: app } },
      ]);
      expect(body.events[0]?.cause).toContain("tasks keep failing");
      const signature = createHmac("sha256", HOOK_SECRET)
        .update(request?.body ?? "")
        .digest("hex");
      expect(request?.headers["x-croncd-signature"]).toBe(`sha256=${signature}`);
      expect(first.report.deliveries).toMatchObject([{ notifier: "ops", ok: true, events: 1 }]);

      // The crash loop again, counted higher and worded as "not redeployed": the same failure.
      const same = await reconcile(1);
      expect(eventsOf(same.report)).toEqual([]);
      expect(bodiesAbout(app)).toHaveLength(1);

      await publish(MISSING_NETWORK, "app needs a network that does not exist");
      const changed = await reconcile(1);
      expect(eventsOf(changed.report)).toEqual([`failure-changed ${app}`]);
      expect(bodiesAbout(app)).toHaveLength(2);
      // The network's name is a secret (secretEnv): masked in the message, the report and the log.
      expect(changed.report.events?.[0]?.cause).toContain("***");
      expect(inbox.received.map((request) => request.body).join("\n")).not.toContain(SECRET_NETWORK);
      expect(JSON.stringify(changed.report)).not.toContain(SECRET_NETWORK);
      expect(changed.result.output).not.toContain(SECRET_NETWORK);

      await publish(HEALTHY, "app fixed");
      const recovered = await reconcile(0);
      expect(eventsOf(recovered.report)).toEqual([`recovered ${app}`]);
      expect(bodiesAbout(app)).toHaveLength(3);

      const quiet = await reconcile(0);
      expect(eventsOf(quiet.report)).toEqual([]);
      expect(quiet.report.events).toEqual([]);
      expect(bodiesAbout(app)).toHaveLength(3);
    });
  });

  describe("state kept in the Swarm", () => {
    const target = uniqueStackName("alstate");
    const app = `${target}-app`;
    let configFile: string;
    const reportFile = () => path.join(work, "state.json");

    beforeAll(async () => {
      const bare = await createBareRepo(work, "state.git");
      const repo = await TestRepo.create(path.join(work, "state"), {
        [`stacks/${app}/compose.yaml`]: CRASH_LOOP_COMPOSE,
      });
      await repo.push(bare);
      configFile = await writeConfig(
        path.join(work, "state-config"),
        [{ name: "platform", url: bare }],
        [{ name: target, source: "platform", path: "stacks" }],
        alertsBlock(),
      );
    });
    afterAll(async () => {
      await removeAllStacks(target);
      await docker(["config", "rm", `croncd-alerts-${target}`]).catch(() => undefined);
    });

    const reconcile = async () => {
      const result = await runCroncd(["reconcile", "--config", configFile, "--report", reportFile()], {
        cwd: work,
        env: runEnv(),
      });
      expect(result.exitCode, result.output).toBe(1);
      return (await readReport(reportFile())) as AlertReport;
    };

    it("deleted between runs, croncd alerts again, with the very same message", async () => {
      expect(eventsOf(await reconcile())).toEqual([`failed ${app}`]);
      expect(eventsOf(await reconcile())).toEqual([]);
      // The state is a Swarm config any runner reads; a person can delete it.
      const labels = JSON.parse(
        await docker(["config", "inspect", `croncd-alerts-${target}`, "--format", "{{json .Spec.Labels}}"]),
      ) as Record<string, string>;
      expect(Object.keys(labels)).toContain(`io.croncd.alert.item:stack/${app}`);
      await docker(["config", "rm", `croncd-alerts-${target}`]);

      expect(eventsOf(await reconcile())).toEqual([`failed ${app}`]);
      const [before, after] = bodiesAbout(app);
      // Identical failures, identical messages: no timestamp, duration, task id or count in them.
      expect(after).toBe(before);
      expect(before).not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/);
      expect(before).not.toMatch(/\b\d+(\.\d+)?(ms|s)\b/);
    });
  });

  describe("git server down", () => {
    const target = uniqueStackName("alsrc");
    const keep = `${target}-keep`;
    let server: GitServer;
    let proxy: SwitchableProxy;
    const reportFile = () => path.join(work, "source.json");
    const config = (grace: number) =>
      writeConfig(
        path.join(work, "source-config"),
        [
          {
            name: "platform",
            url: `http://127.0.0.1:${proxy.port}/source.git`,
            auth: { tokenEnv: "GIT_TOKEN" },
          },
        ],
        [{ name: target, source: "platform", path: "stacks", prune: true }],
        alertsBlock(grace),
      );

    beforeAll(async () => {
      const served = path.join(work, "served");
      const bare = await createBareRepo(served, "source.git");
      const repo = await TestRepo.create(path.join(work, "source"), {
        [`stacks/${keep}/compose.yaml`]: HEALTHY,
      });
      await repo.push(bare);
      server = await startGitServer({ root: served, token: GIT_TOKEN });
      proxy = await startSwitchableProxy(Number(new URL(server.url).port));
    });
    afterAll(async () => {
      await proxy.stop();
      await server.stop();
      await removeAllStacks(target);
      await docker(["config", "rm", `croncd-alerts-${target}`]).catch(() => undefined);
    });

    const reconcile = async (configFile: string, expectedExit: number) => {
      const result = await runCroncd(["reconcile", "--config", configFile, "--report", reportFile()], {
        cwd: work,
        env: runEnv(),
      });
      expect(result.exitCode, result.output).toBe(expectedExit);
      return { result, report: (await readReport(reportFile())) as AlertReport };
    };

    it("exits 3, prunes nothing, and says nothing within the grace period; then once, then once back", async () => {
      const withGrace = await config(3600);
      expect(eventsOf((await reconcile(withGrace, 0)).report)).toEqual([]);
      expect(await listServices(`com.docker.stack.namespace=${keep}`)).toHaveLength(1);

      await proxy.down();
      const down = await reconcile(withGrace, 3);
      expect(down.result.output).toContain("source platform: source unavailable: git server unreachable");
      expect(down.report.entries).toMatchObject([{ kind: "target", name: target, unavailable: "source" }]);
      expect(eventsOf(down.report)).toEqual([]);
      expect(await listServices(`com.docker.stack.namespace=${keep}`)).toHaveLength(1);
      expect(bodiesAbout(target)).toEqual([]);

      // The outage is remembered in the Swarm since the first run that saw it: with no grace left,
      // the next run says it, once.
      const noGrace = await config(0);
      expect(eventsOf((await reconcile(noGrace, 3)).report)).toEqual(["source-unavailable"]);
      expect(eventsOf((await reconcile(noGrace, 3)).report)).toEqual([]);
      expect(bodiesAbout(target)).toHaveLength(1);

      await proxy.up();
      const back = await reconcile(noGrace, 0);
      expect(eventsOf(back.report)).toEqual(["recovered"]);
      expect(bodiesAbout(target)).toHaveLength(2);
      expect(await listServices(`com.docker.stack.namespace=${keep}`)).toHaveLength(1);
    });
  });

  describe("Docker daemon unreachable", () => {
    const target = uniqueStackName("altgt");
    const reportFile = () => path.join(work, "target.json");

    it("exits 3; says nothing within a grace period, and on every run with none (it cannot remember)", async () => {
      const bare = await createBareRepo(work, "target.git");
      const repo = await TestRepo.create(path.join(work, "target"), {
        [`stacks/${target}-app/compose.yaml`]: HEALTHY,
      });
      await repo.push(bare);
      const config = (grace: number) =>
        writeConfig(
          path.join(work, "target-config"),
          [{ name: "platform", url: bare }],
          [
            {
              name: target,
              source: "platform",
              path: "stacks",
              docker: { host: `unix://${path.join(work, "no-daemon.sock")}` },
            },
          ],
          alertsBlock(grace),
        );
      const reconcile = async (configFile: string) => {
        const result = await runCroncd(["reconcile", "--config", configFile, "--report", reportFile()], {
          cwd: work,
          env: runEnv(),
        });
        expect(result.exitCode, result.output).toBe(3);
        return (await readReport(reportFile())) as AlertReport;
      };

      const withGrace = await reconcile(await config(3600));
      expect(withGrace.entries).toMatchObject([{ kind: "target", name: target, unavailable: "target" }]);
      expect(eventsOf(withGrace)).toEqual([]);
      expect(bodiesAbout(target)).toEqual([]);

      const noGrace = await config(0);
      expect(eventsOf(await reconcile(noGrace))).toEqual(["target-unavailable"]);
      expect(eventsOf(await reconcile(noGrace))).toEqual(["target-unavailable"]);
      expect(bodiesAbout(target)).toHaveLength(2);
    });
  });
});
