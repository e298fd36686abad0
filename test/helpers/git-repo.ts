// Git repositories for tests, made with the real `git` CLI so that what croncd fetches is exactly
// what a git server would hold.
import { mkdir, rm, writeFile } from "node:fs/promises";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { execa } from "execa";

/** Fixed identity, so commits never depend on the machine's or the person's git configuration. */
export const TEST_GIT_IDENTITY = { name: "croncd test", email: "croncd-test@example.invalid" } as const;

// Variables git reads that would point commands somewhere else (e.g. when the tests run from a git hook).
const INHERITED_GIT_VARS_TO_DROP = [
  "GIT_DIR",
  "GIT_WORK_TREE",
  "GIT_INDEX_FILE",
  "GIT_OBJECT_DIRECTORY",
  "GIT_ALTERNATE_OBJECT_DIRECTORIES",
  "GIT_COMMON_DIR",
  "GIT_NAMESPACE",
  "GIT_CONFIG",
  "GIT_CONFIG_PARAMETERS",
  "GIT_CONFIG_COUNT",
  "GIT_ASKPASS",
  "SSH_ASKPASS",
];

/** Environment for every git command run by the test helpers. */
export function gitEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !INHERITED_GIT_VARS_TO_DROP.includes(key)) env[key] = value;
  }
  return {
    ...env,
    GIT_AUTHOR_NAME: TEST_GIT_IDENTITY.name,
    GIT_AUTHOR_EMAIL: TEST_GIT_IDENTITY.email,
    GIT_COMMITTER_NAME: TEST_GIT_IDENTITY.name,
    GIT_COMMITTER_EMAIL: TEST_GIT_IDENTITY.email,
    // Ignore /etc/gitconfig and ~/.gitconfig (signing, hooks paths, default branch, credential helpers).
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_GLOBAL: "/dev/null",
    // Never wait for a password on a terminal: a wrong token must fail, not hang.
    GIT_TERMINAL_PROMPT: "0",
    ...extra,
  };
}

export interface GitOptions {
  cwd?: string;
  input?: string | Buffer;
  env?: Record<string, string>;
}

/** Runs `git` with the test environment; resolves to stdout, rejects with git's stderr in the message. */
export async function git(args: string[], options: GitOptions = {}): Promise<string> {
  const result = await execa("git", args, {
    cwd: options.cwd,
    input: options.input,
    env: gitEnv(options.env),
    extendEnv: false,
    timeout: 120_000,
    reject: false,
  });
  if (result.failed) {
    const reason = result.timedOut ? "timed out" : `exit code ${result.exitCode ?? "?"}`;
    throw new Error(`git ${args.join(" ")} failed (${reason}): ${result.stderr.trim() || result.message}`);
  }
  return result.stdout;
}

/**
 * Creates an empty bare repository `root/name` (default branch main) that allows fetching any commit
 * by SHA, as GitHub and GitLab do. Resolves to its path.
 */
export async function createBareRepo(root: string, name: string): Promise<string> {
  const path = join(root, name);
  await mkdir(dirname(path), { recursive: true });
  await git(["init", "--quiet", "--bare", "--initial-branch=main", path]);
  for (const [key, value] of [
    ["uploadpack.allowReachableSHA1InWant", "true"],
    ["uploadpack.allowAnySHA1InWant", "true"],
    ["uploadpack.allowFilter", "true"],
    ["http.receivepack", "true"],
  ] as const) {
    await git(["config", key, value], { cwd: path });
  }
  return path;
}

export interface TestRepoOptions {
  /** Branch to create; `main` unless given. */
  branch?: string;
  /** Message of the initial commit (made only when `files` is not empty). */
  message?: string;
}

/** A working copy to build commits in and push them to a bare repository or a git URL. */
export class TestRepo {
  private constructor(
    readonly dir: string,
    private currentBranch: string,
  ) {}

  /** Initializes `dir` (created if missing) and commits `files` in it, if any. */
  static async create(
    dir: string,
    files: Record<string, string | Buffer> = {},
    options: TestRepoOptions = {},
  ): Promise<TestRepo> {
    const branch = options.branch ?? "main";
    await mkdir(dir, { recursive: true });
    await git(["init", "--quiet", `--initial-branch=${branch}`, dir]);
    const repo = new TestRepo(resolve(dir), branch);
    const entries = Object.entries(files);
    for (const [path, content] of entries) await repo.write(path, content);
    if (entries.length > 0) await repo.commit(options.message ?? "initial commit");
    return repo;
  }

  get branch(): string {
    return this.currentBranch;
  }

  /** Runs git inside the working copy. */
  git(args: string[], options: Omit<GitOptions, "cwd"> = {}): Promise<string> {
    return git(args, { ...options, cwd: this.dir });
  }

  /** Writes a file (parents created); a Buffer is written byte for byte. Not staged until `commit`. */
  async write(path: string, content: string | Buffer): Promise<void> {
    const target = this.resolveInside(path);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, content);
  }

  /** Deletes a file or directory from the working copy. Not staged until `commit`. */
  async remove(path: string): Promise<void> {
    await rm(this.resolveInside(path), { recursive: true, force: true });
  }

  /** Stages everything (additions, changes, deletions) and commits; resolves to the new commit's SHA. */
  async commit(message: string, options: { allowEmpty?: boolean } = {}): Promise<string> {
    await this.git(["add", "--all"]);
    await this.git([
      "commit",
      "--quiet",
      "--no-verify",
      ...(options.allowEmpty ? ["--allow-empty"] : []),
      "-m",
      message,
    ]);
    return this.head();
  }

  /** SHA of HEAD (or of another revision). */
  async head(revision = "HEAD"): Promise<string> {
    return (await this.git(["rev-parse", "--verify", `${revision}^{commit}`])).trim();
  }

  /** Creates a lightweight tag, or an annotated one when a message is given. */
  async tag(name: string, options: { message?: string; ref?: string; force?: boolean } = {}): Promise<void> {
    const args = ["tag", ...(options.force ? ["--force"] : [])];
    if (options.message !== undefined) args.push("--annotate", "-m", options.message);
    await this.git([...args, name, options.ref ?? "HEAD"]);
  }

  /** Switches to `branch`, creating it from HEAD if `create` is set. */
  async checkout(branch: string, options: { create?: boolean } = {}): Promise<void> {
    await this.git(["checkout", "--quiet", ...(options.create ? ["-b"] : []), branch]);
    this.currentBranch = branch;
  }

  /**
   * Pushes HEAD to `branch` (the current branch unless given) of `remote` (a bare repository's path or a
   * URL), together with all tags. `force` allows rewriting history there.
   */
  async push(
    remote: string,
    options: { branch?: string; force?: boolean; tags?: boolean } = {},
  ): Promise<void> {
    const branch = options.branch ?? this.currentBranch;
    await this.git([
      // Local paths use the file transport, which git may restrict.
      "-c",
      "protocol.file.allow=always",
      "push",
      "--quiet",
      ...(options.force ? ["--force"] : []),
      ...(options.tags === false ? [] : ["--tags"]),
      remote,
      `HEAD:refs/heads/${branch}`,
    ]);
  }

  private resolveInside(path: string): string {
    const target = resolve(this.dir, path);
    const rel = relative(this.dir, target);
    const first = rel.split(sep)[0];
    if (rel === "" || first === ".." || first === ".git" || isAbsolute(rel)) {
      throw new Error(`path ${path} is not a file inside the working copy`);
    }
    return target;
  }
}
