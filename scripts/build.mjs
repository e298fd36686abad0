// Builds the CLI, the example runner and the benchmark into dist/ (not committed; `npm ci` runs this).
import { build } from "esbuild";
import { benchBundle, cliBundle, exampleBundle } from "./bundles.mjs";

await Promise.all([build(cliBundle), build(exampleBundle), build(benchBundle)]);
