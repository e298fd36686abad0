// The desired-state hash ends up in a label anyone with `docker service inspect` reads: it must
// change when the stack changes, and must not be a function of any secret value.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { discoverStacks } from "../../../src/targets/swarm/discover.js";
import { renderStack, type RenderContext } from "../../../src/targets/swarm/render.js";
import { StackSecrets } from "../../../src/targets/swarm/stack-secrets.js";

const compose = `services:\n  app:\n    image: busybox\n    environment:\n      PIN: \${PIN}\n      MODE: \${MODE}\n`;

describe("desired-state hash", () => {
  let repo: string;

  beforeAll(async () => {
    repo = await mkdtemp(path.join(tmpdir(), "croncd-hash-"));
    await mkdir(path.join(repo, "stacks", "app"), { recursive: true });
    await writeFile(path.join(repo, "stacks", "app", "compose.yaml"), compose);
  });

  afterAll(async () => {
    await rm(repo, { recursive: true, force: true });
  });

  async function hashWith(env: Record<string, string>, extra: Partial<RenderContext> = {}): Promise<string> {
    const [stack] = (await discoverStacks(path.join(repo, "stacks"), "stacks")).stacks;
    const context: RenderContext = {
      repoRoot: repo,
      targetName: "prod",
      sourceUrl: "/repo",
      commit: "0".repeat(40),
      allowedEnv: env,
      secretEnvNames: ["PIN"],
      secrets: new StackSecrets({ env: {}, onSecrets: () => undefined }),
      ...extra,
    };
    return (await renderStack(stack as NonNullable<typeof stack>, context)).hash;
  }

  it("does not depend on a secret's value, so the label cannot be used to guess it", async () => {
    expect(await hashWith({ PIN: "7", MODE: "fast" })).toBe(await hashWith({ PIN: "8", MODE: "fast" }));
  });

  it("changes with everything that is not secret", async () => {
    expect(await hashWith({ PIN: "7", MODE: "fast" })).not.toBe(await hashWith({ PIN: "7", MODE: "slow" }));
  });

  it("changes with a secret's value through an HMAC when CRONCD_HASH_KEY is set", async () => {
    const keyed = { hashKey: "a-long-random-key-from-the-ci-variables" };
    expect(await hashWith({ PIN: "7", MODE: "fast" }, keyed)).not.toBe(
      await hashWith({ PIN: "8", MODE: "fast" }, keyed),
    );
  });

  it("does not change with x-croncd.stableFor or followTags, which only say how croncd watches; does with prune (a label)", async () => {
    const file = path.join(repo, "stacks", "app", "compose.yaml");
    const before = await hashWith({ PIN: "7", MODE: "fast" });
    await writeFile(file, `x-croncd:\n  stableFor: 30s\n${compose}`);
    try {
      expect(await hashWith({ PIN: "7", MODE: "fast" })).toBe(before);
      // followTags only makes croncd ask the registry: turning it on redeploys nothing by itself.
      await writeFile(file, `x-croncd:\n  followTags: true\n${compose}`);
      expect(await hashWith({ PIN: "7", MODE: "fast" })).toBe(before);
      await writeFile(file, `x-croncd:\n  prune: false\n${compose}`);
      expect(await hashWith({ PIN: "7", MODE: "fast" })).not.toBe(before);
    } finally {
      await writeFile(file, compose);
    }
  });
});
