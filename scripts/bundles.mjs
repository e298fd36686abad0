// The esbuild options of every bundle croncd ships: single ESM files, so the CLI starts fast and
// the GitHub Action needs no node_modules on the runner.
import { readFile } from "node:fs/promises";

const { version } = JSON.parse(await readFile(new URL("../package.json", import.meta.url), "utf8"));

/** @type {import("esbuild").BuildOptions} */
const common = {
  bundle: true,
  platform: "node",
  target: "node20",
  format: "esm",
  sourcemap: false,
  // Licence texts of bundled packages are written beside each bundle (*.LEGAL.txt).
  legalComments: "linked",
  define: { __CRONCD_VERSION__: JSON.stringify(version) },
  // Some dependencies are CommonJS and call require(); give the ESM bundle one.
  banner: {
    js: "import { createRequire as __croncdCreateRequire } from 'node:module'; const require = __croncdCreateRequire(import.meta.url);",
  },
  logLevel: "warning",
};

export const cliBundle = { ...common, entryPoints: ["src/cli.ts"], outfile: "dist/croncd.mjs" };

/** `npm run example` (the README's quick start): private Swarm + croncd deploying examples/swarm-basic. */
export const exampleBundle = {
  ...common,
  entryPoints: ["scripts/run-example.ts"],
  outfile: "dist/run-example.mjs",
};

/** `npm run bench`: in-process sops decryption against one `age` process per file. */
export const benchBundle = { ...common, entryPoints: ["scripts/bench.ts"], outfile: "dist/bench.mjs" };

/** Committed to git, because Actions runners execute it straight from the repository. */
export const actionBundle = { ...common, entryPoints: ["action/main.ts"], outfile: "action/dist/index.mjs" };
