/**
 * The log a person follows in the CI job: one line per stack and action, grouped into
 * collapsible sections on GitLab and GitHub Actions. Everything written is masked.
 */
import type { Writable } from "node:stream";
import { SecretMasker } from "./mask.js";

export interface Logger {
  info(line: string): void;
  warn(line: string): void;
  error(line: string): void;
  group<T>(title: string, body: () => Promise<T>): Promise<T>;
  readonly masker: SecretMasker;
}

type CiFlavour = "gitlab" | "github" | "plain";

export interface LoggerOptions {
  stream?: Writable;
  env?: NodeJS.ProcessEnv;
  masker?: SecretMasker;
  now?: () => Date;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const stream = options.stream ?? process.stderr;
  const env = options.env ?? process.env;
  const masker = options.masker ?? new SecretMasker();
  const now = options.now ?? (() => new Date());
  const flavour: CiFlavour =
    env.GITLAB_CI === "true" ? "gitlab" : env.GITHUB_ACTIONS === "true" ? "github" : "plain";
  const write = (text: string) => stream.write(`${masker.mask(text)}\n`);
  if (flavour === "github") {
    // The runner consumes this command and never shows it; from then on it hides the value in
    // everything the job prints, including output croncd does not write itself. The masker
    // reports multi-line values line by line as well, which is how the runner matches them.
    masker.onAdd((value) => {
      // The runner decodes %25, %0D and %0A in command values: encode them, or it masks the wrong string.
      if (!/[\r\n]/.test(value)) stream.write(`::add-mask::${value.replaceAll("%", "%25")}\n`);
    });
  }
  let sectionCounter = 0;

  return {
    masker,
    info: (line) => write(line),
    warn: (line) => write(flavour === "github" ? `::warning::${line}` : `warning: ${line}`),
    error: (line) => write(flavour === "github" ? `::error::${line}` : `error: ${line}`),
    async group(title, body) {
      sectionCounter += 1;
      const id = `croncd_${sectionCounter}`;
      const seconds = () => Math.floor(now().getTime() / 1000);
      if (flavour === "gitlab")
        write(`\u001b[0Ksection_start:${seconds()}:${id}[collapsed=false]\r\u001b[0K${title}`);
      else if (flavour === "github") write(`::group::${title}`);
      else write(`== ${title}`);
      try {
        return await body();
      } finally {
        if (flavour === "gitlab") write(`\u001b[0Ksection_end:${seconds()}:${id}\r\u001b[0K`);
        else if (flavour === "github") write("::endgroup::");
      }
    },
  };
}
