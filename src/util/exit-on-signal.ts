/**
 * SIGTERM and SIGINT (a cancelled CI job, Ctrl-C) end croncd through `process.exit`, so that its
 * `exit` listeners run: they stop the children (which lead their own process groups, so the signal
 * did not reach them) and remove the temporary workspaces. Installed once, by whichever needs it
 * first: the first child started or the first workspace created.
 */
let installed = false;

/** Exit codes as a shell reports a process ended by the signal: 128 + its number. */
const EXIT_CODES = { SIGTERM: 143, SIGINT: 130 } as const;

export function exitOnSignals(): void {
  if (installed) return;
  installed = true;
  for (const [signal, code] of Object.entries(EXIT_CODES)) {
    process.once(signal, () => {
      process.stderr.write(
        `croncd: received ${signal}, stopping its programs and removing temporary files\n`,
      );
      process.exit(code);
    });
  }
}
