// Rebuilds the committed GitHub Action bundle; commit action/dist afterwards.
import { build } from "esbuild";
import { actionBundle } from "./bundles.mjs";

await build(actionBundle);
