// Where the tests find the real helm and kubectl: .cache/tools/, filled by `npm run tools`
// (scripts/fetch-helm.mjs, run by `npm test` and CI). A missing binary is a test failure that says
// how to get it, never a skipped test.
import { accessSync, constants } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** Keep in step with scripts/fetch-helm.mjs. */
export const HELM_VERSION = "v3.17.3";

const toolsDir = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  "../../../.cache/tools",
  `helm-${HELM_VERSION}`,
);

function toolPath(tool: "helm" | "kubectl"): string {
  const file = path.join(toolsDir, tool);
  try {
    accessSync(file, constants.X_OK);
  } catch {
    throw new Error(
      `${tool} (from helm ${HELM_VERSION}'s tool bundle) is not at ${file}. Run \`npm run tools\` ` +
        "(needs `unzip`: apt-get install unzip); CI's .ci/run does this before the tests.",
    );
  }
  return file;
}

export const helmPath = (): string => toolPath("helm");
export const kubectlPath = (): string => toolPath("kubectl");
