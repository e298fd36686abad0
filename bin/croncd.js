#!/usr/bin/env node
// Starts the bundled CLI (dist/croncd.mjs, built by `npm run build` / `npm ci`).
import { main } from "../dist/croncd.mjs";

process.exitCode = await main(process.argv.slice(2));
