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
