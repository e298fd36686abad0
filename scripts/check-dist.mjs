// Fails when the committed GitHub Action bundle is not what the sources build to today: a runner
// executes the committed file, never the sources.
import { readFile } from "node:fs/promises";
import { build } from "esbuild";
import { actionBundle } from "./bundles.mjs";

const result = await build({ ...actionBundle, write: false });
const built = result.outputFiles.find((file) => file.path.endsWith(".mjs"));
const committed = await readFile(actionBundle.outfile, "utf8").catch(() => "");
if (!built || built.text !== committed) {
  console.error(
    `${actionBundle.outfile} is out of date: run \`npm run build:action\` and commit the result.`,
  );
  process.exit(1);
}
console.log(`${actionBundle.outfile} is up to date.`);
