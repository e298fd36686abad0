// Builds the bundled CLI once before the tests, so integration tests run exactly what users run
// (`bin/croncd.js` → `dist/croncd.mjs`), even when vitest is started on its own.
import { execa } from "execa";

export default async function buildCli(): Promise<void> {
  await execa("node", ["scripts/build.mjs"], { stdio: "inherit" });
}
