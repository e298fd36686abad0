/**
 * The log a person follows in the CI job: one line per stack and action, grouped into
 * collapsible sections on GitLab and GitHub Actions. Everything written is masked.
 */
import type { Writable } from "node:stream";
import { SecretMasker } from "./mask.js";
import { streamWorkflowCommands, type WorkflowCommands } from "./workflow-commands.js";

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
  /** How annotations, groups and masks reach the GitHub runner; written to `stream` by default. */
  workflowCommands?: WorkflowCommands;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const stream = options.stream ?? process.stderr;
  const env = options.env ?? process.env;
  const masker = options.masker ?? new SecretMasker();
  const now = options.now ?? (() => new Date());
  const flavour: CiFlavour =
    env.GITLAB_CI === "true" ? "gitlab" : env.GITHUB_ACTIONS === "true" ? "github" : "plain";
  const write = (text: string) => stream.write(`${masker.mask(text)}\n`);
  const github =
    flavour === "github" ? (options.workflowCommands ?? streamWorkflowCommands(stream)) : undefined;
  if (github) {
    // The runner consumes this command and never shows it; from then on it hides the value in
    // everything the job prints, including output croncd does not write itself. The masker
    // reports multi-line values line by line as well, which is how the runner matches them.
    masker.onAdd((value) => {
      if (!/[\r\n]/.test(value)) github.addMask(value);
    });
  }
  let sectionCounter = 0;

  return {
    masker,
    info: (line) => write(line),
    warn: (line) => (github ? github.warning(masker.mask(line)) : write(`warning: ${line}`)),
    error: (line) => (github ? github.error(masker.mask(line)) : write(`error: ${line}`)),
    async group(title, body) {
      sectionCounter += 1;
      const id = `croncd_${sectionCounter}`;
      const seconds = () => Math.floor(now().getTime() / 1000);
      if (flavour === "gitlab")
        write(`\u001b[0Ksection_start:${seconds()}:${id}[collapsed=false]\r\u001b[0K${title}`);
      else if (github) github.startGroup(masker.mask(title));
      else write(`== ${title}`);
      try {
        return await body();
      } finally {
        if (flavour === "gitlab") write(`\u001b[0Ksection_end:${seconds()}:${id}\r\u001b[0K`);
        else if (github) github.endGroup();
      }
    },
  };
}
