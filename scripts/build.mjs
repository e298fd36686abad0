// Bundles the CLI and the GitHub Action into single ESM files, so they start fast and the Action
// needs no node_modules on the runner.
import { readFile } from "node:fs/promises";
import { build } from "esbuild";

const { version } = JSON.parse(await readFile(new URL("../package.json", import.meta.url), "utf8"));

/** @type {import("esbuild").BuildOptions} */
const common = {
  bundle: true,
  platform: "node",
  target: "node20",
  format: "esm",
  sourcemap: false,
  legalComments: "linked",
  define: { __CRONCD_VERSION__: JSON.stringify(version) },
  // Some dependencies are CommonJS and call require(); give the ESM bundle one.
  banner: {
    js: "import { createRequire as __croncdCreateRequire } from 'node:module'; const require = __croncdCreateRequire(import.meta.url);",
  },
  logLevel: "warning",
};

await build({ ...common, entryPoints: ["src/cli.ts"], outfile: "dist/croncd.mjs" });
// `npm run example` (the README's quick start): private Swarm + croncd deploying examples/swarm-basic.
await build({ ...common, entryPoints: ["scripts/run-example.ts"], outfile: "dist/run-example.mjs" });
