import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "../../../src/report/logger.js";

function capture(env: NodeJS.ProcessEnv) {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  const log = createLogger({ stream, env, now: () => new Date(1_700_000_000_000) });
  return { log, text: () => chunks.join("") };
}

describe("logger", () => {
  it("opens and closes a collapsible section on GitLab", async () => {
    const { log, text } = capture({ GITLAB_CI: "true" });
    await log.group("target prod", () => Promise.resolve(log.info("inside")));
    expect(text()).toBe(
      "\u001b[0Ksection_start:1700000000:croncd_1[collapsed=false]\r\u001b[0Ktarget prod\ninside\n" +
        "\u001b[0Ksection_end:1700000000:croncd_1\r\u001b[0K\n",
    );
  });

  it("uses groups and annotations on GitHub Actions", async () => {
    const { log, text } = capture({ GITHUB_ACTIONS: "true" });
    await log.group("pull sources", () => Promise.resolve(log.error("boom")));
    log.warn("careful");
    expect(text()).toBe("::group::pull sources\n::error::boom\n::endgroup::\n::warning::careful\n");
  });

  it("escapes annotations on GitHub Actions, so a message with a newline or % arrives whole", () => {
    const { log, text } = capture({ GITHUB_ACTIONS: "true" });
    log.error("stack web: 100% wrong\r\ndocker said: no");
    expect(text()).toBe("::error::stack web: 100%25 wrong%0D%0Adocker said: no\n");
  });

  it("sends annotations, groups and masks through the commands it is given (the Action's @actions/core)", async () => {
    const sent: string[] = [];
    const log = createLogger({
      stream: new Writable({ write: (_chunk, _encoding, done) => done() }),
      env: { GITHUB_ACTIONS: "true" },
      workflowCommands: {
        error: (message) => sent.push(`error ${message}`),
        warning: (message) => sent.push(`warning ${message}`),
        startGroup: (title) => sent.push(`group ${title}`),
        endGroup: () => sent.push("endgroup"),
        addMask: (value) => sent.push(`mask ${value}`),
      },
    });
    log.masker.add("s3cret-value");
    await log.group("target prod", () => Promise.resolve(log.error("token s3cret-value refused")));
    log.warn("careful");
    expect(sent).toEqual([
      "mask s3cret-value",
      "group target prod",
      "error token *** refused",
      "endgroup",
      "warning careful",
    ]);
  });

  it("closes the section even when the body throws", async () => {
    const { log, text } = capture({ GITHUB_ACTIONS: "true" });
    await expect(log.group("x", () => Promise.reject(new Error("no")))).rejects.toThrow("no");
    expect(text()).toContain("::endgroup::");
  });

  it("masks every registered secret, the longest first", () => {
    const { log, text } = capture({});
    log.masker.add("token-123");
    log.masker.add("token-123-extended");
    log.info("sent token-123-extended and token-123");
    expect(text()).toBe("sent *** and ***\n");
  });

  it("masks a secret in its `$$`-escaped spelling too, as rendered compose files write it", () => {
    const { log, text } = capture({});
    log.masker.add("pa$word");
    log.info("raw pa$word, rendered pa$$word");
    expect(text()).toBe("raw ***, rendered ***\n");
  });

  it("registers every secret with the GitHub runner, line by line", () => {
    const { log, text } = capture({ GITHUB_ACTIONS: "true" });
    log.masker.add("first-line\nsecond-line");
    log.info("first-line is hidden");
    expect(text()).toBe("::add-mask::first-line\n::add-mask::second-line\n*** is hidden\n");
  });
});
