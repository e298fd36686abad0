/**
 * Command-line parsing. Each command accepts only its own options: an option that means nothing
 * to a command is an error, never silently ignored — `reconcile --dry-run` must not deploy.
 */
import { parseArgs } from "node:util";
import { DEFAULT_CONFIG_FILE } from "../config/load.js";
import { ConfigError } from "../errors.js";

export const COMMANDS = [
  "reconcile",
  "plan",
  "validate",
  "render",
  "prune",
  "suspend",
  "resume",
  "decrypt",
  "version",
  "help",
] as const;
export type Command = (typeof COMMANDS)[number];

type OptionName =
  | "config"
  | "target"
  | "report"
  | "junit"
  | "dotenv"
  | "ref"
  | "out"
  | "stack"
  | "release"
  | "namespace"
  | "reason"
  | "dry-run"
  | "ignore-mac"
  | "input-type"
  | "no-heal"
  | "json"
  | "comment"
  | "comment-token-env";

/** The formats `decrypt --input-type` accepts (sops's names). */
export const INPUT_TYPES = ["yaml", "json", "dotenv", "ini", "binary"] as const;
export type InputType = (typeof INPUT_TYPES)[number];

/** The commands that act on one named item (`--stack NAME` / `--release NAME`) of one target. */
export const ONE_ITEM_COMMANDS: readonly Command[] = ["prune", "suspend", "resume"];

/** Where a run's outcome is written; every command that reports takes all of them. */
const REPORT_OPTIONS: OptionName[] = ["report", "junit", "dotenv"];
const RUN_OPTIONS: OptionName[] = ["config", "target", "ref", ...REPORT_OPTIONS];

const ALLOWED: Record<Command, OptionName[]> = {
  reconcile: [...RUN_OPTIONS, "no-heal"],
  plan: [...RUN_OPTIONS, "json", "comment", "comment-token-env"],
  validate: RUN_OPTIONS,
  render: [...RUN_OPTIONS, "out"],
  prune: ["config", "target", ...REPORT_OPTIONS, "stack", "release", "namespace", "dry-run"],
  suspend: ["config", "target", ...REPORT_OPTIONS, "stack", "release", "namespace", "reason"],
  resume: ["config", "target", ...REPORT_OPTIONS, "stack", "release", "namespace"],
  decrypt: ["ignore-mac", "input-type"],
  version: [],
  help: [],
};

export interface Arguments {
  command: Command;
  config: string;
  targets: string[];
  refs: string[];
  report?: string;
  /** --junit FILE: the run as JUnit XML. */
  junit?: string;
  /** --dotenv FILE: the run's counts as KEY=value lines. */
  dotenv?: string;
  out?: string;
  stack?: string;
  /** prune --release: a release of a target that deploys releases. */
  release?: string;
  /** prune --release NAME --namespace NS: the release's namespace, when the name alone is ambiguous. */
  namespace?: string;
  dryRun: boolean;
  /** suspend --reason TEXT: why, shown with the suspension in every report. */
  reason?: string;
  /** reconcile --no-heal: report drift, do not redeploy it. */
  noHeal?: boolean;
  /** plan --json: the report on stdout. */
  json?: boolean;
  /** plan --comment: post the plan on the merge request / pull request of the CI job. */
  comment?: boolean;
  /** plan --comment-token-env NAME: the env variable holding the token for --comment. */
  commentTokenEnv?: string;
  /** decrypt: the sops file. */
  file?: string;
  /** decrypt: decrypt even without a valid MAC. */
  ignoreMac?: boolean;
  /** decrypt: the file's format when its name does not tell it. */
  inputType?: InputType;
}

export function parseArguments(argv: string[]): Arguments {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      config: { type: "string" },
      target: { type: "string", multiple: true },
      ref: { type: "string", multiple: true },
      report: { type: "string" },
      junit: { type: "string" },
      dotenv: { type: "string" },
      out: { type: "string" },
      stack: { type: "string" },
      release: { type: "string" },
      namespace: { type: "string" },
      reason: { type: "string" },
      "dry-run": { type: "boolean" },
      "no-heal": { type: "boolean" },
      json: { type: "boolean" },
      comment: { type: "boolean" },
      "comment-token-env": { type: "string" },
      "ignore-mac": { type: "boolean" },
      "input-type": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  const [first, ...extra] = positionals;
  if (values.help || first === undefined)
    return { command: "help", config: DEFAULT_CONFIG_FILE, targets: [], refs: [], dryRun: false };
  if (!(COMMANDS as readonly string[]).includes(first)) {
    throw new ConfigError(`unknown command "${first}"; commands: ${COMMANDS.join(", ")}`);
  }
  const command = first as Command;
  // Only decrypt takes an argument: the one file it decrypts.
  const [file, ...unexpected] = command === "decrypt" ? extra : [undefined, ...extra];
  if (unexpected.length > 0)
    throw new ConfigError(`unexpected argument "${unexpected[0]}"`, { subject: command });

  const given = (Object.keys(values) as (OptionName | "help")[]).filter(
    (name): name is OptionName => name !== "help" && values[name] !== undefined,
  );
  for (const option of given) {
    if (!ALLOWED[command].includes(option)) {
      const owners = COMMANDS.filter((candidate) => ALLOWED[candidate].includes(option));
      throw new ConfigError(`--${option} is not an option of ${command}`, {
        subject: command,
        hint: `it belongs to: ${owners.join(", ")}`,
      });
    }
  }
  if (command === "render" && !values.out)
    throw new ConfigError("say where with --out DIR", { subject: "render" });
  const oneItem = ONE_ITEM_COMMANDS.includes(command);
  if (oneItem && !values.stack && !values.release)
    throw new ConfigError("say which stack with --stack NAME (or release with --release NAME)", {
      subject: command,
    });
  if (values.stack && values.release)
    throw new ConfigError(`give --stack or --release, not both: ${command} acts on one item`, {
      subject: command,
    });
  if (values.namespace && !values.release)
    throw new ConfigError("--namespace goes with --release NAME", { subject: command });
  if (command === "decrypt" && file === undefined)
    throw new ConfigError("say which file with croncd decrypt FILE", { subject: "decrypt" });
  const tokenEnv = values["comment-token-env"];
  if (tokenEnv !== undefined && !values.comment)
    throw new ConfigError("--comment-token-env goes with --comment", { subject: command });
  if (tokenEnv !== undefined && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(tokenEnv)) {
    throw new ConfigError(
      `--comment-token-env takes the name of an environment variable, not "${tokenEnv}"`,
      {
        subject: command,
        hint: "give the variable's name, e.g. CRONCD_GITLAB_TOKEN, never the token itself",
      },
    );
  }
  const inputType = values["input-type"];
  if (inputType !== undefined && !(INPUT_TYPES as readonly string[]).includes(inputType)) {
    throw new ConfigError(`--input-type must be one of ${INPUT_TYPES.join(", ")}, not "${inputType}"`, {
      subject: command,
    });
  }
  if (oneItem && (values.target?.length ?? 0) > 1) {
    throw new ConfigError(`${command} acts on one item of one target: give --target once`, {
      subject: command,
    });
  }
  return {
    command,
    config: values.config ?? DEFAULT_CONFIG_FILE,
    targets: values.target ?? [],
    refs: values.ref ?? [],
    dryRun: values["dry-run"] ?? false,
    ...(values["no-heal"] ? { noHeal: true } : {}),
    ...(values.json ? { json: true } : {}),
    ...(values.comment ? { comment: true } : {}),
    ...(tokenEnv !== undefined ? { commentTokenEnv: tokenEnv } : {}),
    ...(values.report ? { report: values.report } : {}),
    ...(values.junit ? { junit: values.junit } : {}),
    ...(values.dotenv ? { dotenv: values.dotenv } : {}),
    ...(values.out ? { out: values.out } : {}),
    ...(values.stack ? { stack: values.stack } : {}),
    ...(values.release ? { release: values.release } : {}),
    ...(values.namespace ? { namespace: values.namespace } : {}),
    ...(values.reason ? { reason: values.reason } : {}),
    ...(file !== undefined ? { file } : {}),
    ...(values["ignore-mac"] ? { ignoreMac: true } : {}),
    ...(inputType !== undefined ? { inputType: inputType as InputType } : {}),
  };
}
