// Builds the CLI and the example runner into dist/ (not committed; `npm ci` runs this).
import { build } from "esbuild";
import { cliBundle, exampleBundle } from "./bundles.mjs";

await Promise.all([build(cliBundle), build(exampleBundle)]);
