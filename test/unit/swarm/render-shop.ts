// Renders one stack folder, `stacks/shop`, written into a throwaway repository, the way the Swarm
// target does: discovered, then rendered with no CI variables and no keys.
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { discoverStacks } from "../../../src/targets/swarm/discover.js";
import type { DesiredStack } from "../../../src/targets/swarm/model.js";
import { renderStack, type RenderContext } from "../../../src/targets/swarm/render.js";
import { StackSecrets } from "../../../src/targets/swarm/stack-secrets.js";

export async function renderShop(
  repo: string,
  files: Record<string, string | Buffer>,
  /** Over the defaults: a target's policy, its CI variables. */
  overrides: Partial<RenderContext> = {},
): Promise<DesiredStack> {
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(repo, "stacks", "shop", name);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, content);
  }
  const [stack] = (await discoverStacks(path.join(repo, "stacks"), "stacks")).stacks;
  if (!stack) throw new Error("no stack discovered");
  return renderStack(stack, {
    repoRoot: repo,
    targetName: "prod",
    sourceUrl: "/repo",
    commit: "0".repeat(40),
    allowedEnv: {},
    secrets: new StackSecrets({ env: {}, onSecrets: () => undefined }),
    ...overrides,
  });
}
