/** Finds, for each entry, the source it came from (through its target in croncd.yaml) and maps its location into the workspace. */
import path from "node:path";
import { loadConfig } from "../src/config/load.js";
import type { ChangeSetEntry } from "../src/model/changeset.js";
import type { Locate } from "./annotations.js";
import { linkableFile, workspacePath, type WorkflowCheckout } from "./checkout-paths.js";

export async function entryLocator(configFile: string, checkout: WorkflowCheckout): Promise<Locate> {
  // A croncd.yaml that does not load has already failed the run, with its own message and line.
  const loaded = await loadConfig(configFile).catch(() => undefined);
  return (entry: ChangeSetEntry) => {
    if (!entry.location) return {};
    const { file, line } = entry.location;
    const where = `${file}${line === undefined ? "" : `:${line}`}`;
    const position = (linked: string) => ({
      file: linked,
      ...(line === undefined ? {} : { startLine: line }),
    });
    // A run that failed before any target (a broken croncd.yaml) names a file as croncd was given
    // it, relative to the current folder: the workspace, where the Action runs.
    if (entry.kind === "run") {
      const linked = linkableFile(path.resolve(file), checkout);
      return linked ? position(linked) : { elsewhere: where };
    }
    const target = loaded?.config.targets.find((candidate) => candidate.name === entry.target);
    const source = loaded?.config.sources.find((candidate) => candidate.name === target?.source);
    const inWorkspace =
      source && loaded
        ? workspacePath(entry.location, { url: source.url, configDir: path.dirname(loaded.file) }, checkout)
        : undefined;
    if (inWorkspace) return position(inWorkspace);
    return { elsewhere: source ? `${where} in source ${source.name}` : where };
  };
}

/** The workflow's checkout as the runner describes it; the current folder outside a runner. */
export function workflowCheckout(env: NodeJS.ProcessEnv): WorkflowCheckout {
  return {
    workspace: path.resolve(env.GITHUB_WORKSPACE || process.cwd()),
    ...(env.GITHUB_SERVER_URL ? { serverUrl: env.GITHUB_SERVER_URL } : {}),
    ...(env.GITHUB_REPOSITORY ? { repository: env.GITHUB_REPOSITORY } : {}),
  };
}
