// Stale workspaces: only folders croncd provably made, whose owner process is gone, are removed.
import { spawnSync } from "node:child_process";
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  findStaleWorkspaces,
  OWNER_FILE,
  removeStaleWorkspace,
  writeOwnerFile,
} from "../../../src/pipeline/workspace-owner.js";

describe("stale workspaces", () => {
  let parent: string;
  /** The pid of a process that has ended (and been reaped). */
  let deadPid: number;

  beforeEach(async () => {
    parent = await mkdtemp(path.join(os.tmpdir(), "owner-test-"));
    deadPid = Number(spawnSync("sh", ["-c", "echo $$"], { encoding: "utf8" }).stdout.trim());
  });

  afterEach(async () => {
    await rm(parent, { recursive: true, force: true });
  });

  const workspace = async (name: string, owner?: Record<string, unknown>) => {
    const dir = path.join(parent, name);
    await mkdir(dir);
    await writeFile(path.join(dir, "checkout-file"), "x");
    if (owner) await writeFile(path.join(dir, OWNER_FILE), JSON.stringify(owner));
    return dir;
  };
  const owner = (pid: number, extra: Record<string, unknown> = {}) => ({
    croncdWorkspace: 1,
    pid,
    host: os.hostname(),
    startTime: null,
    ...extra,
  });

  it("finds a workspace whose owner is gone, and only that", async () => {
    const dead = await workspace("croncd-dead", owner(deadPid));
    const mine = path.join(parent, "croncd-mine");
    await mkdir(mine);
    writeOwnerFile(mine);
    await workspace("croncd-other-host", owner(deadPid, { host: "another-container" }));
    await workspace("croncd-no-owner-file");
    await workspace("not-croncd", owner(deadPid));
    await workspace("croncd-not-ours", { pid: deadPid });

    const stale = findStaleWorkspaces(parent);
    expect(stale).toEqual([{ dir: dead, owner: { pid: deadPid, host: os.hostname(), startTime: null } }]);
    expect(removeStaleWorkspace(stale[0]!)).toBe(true);
    expect((await readdir(parent)).sort()).toEqual(
      ["croncd-mine", "croncd-no-owner-file", "croncd-not-ours", "croncd-other-host", "not-croncd"].sort(),
    );
  });

  it("a pid now used by another process does not keep a workspace (its start time differs)", async () => {
    // The parent process is alive; its start time is not 1 tick after boot.
    const reused = await workspace("croncd-reused", owner(process.ppid, { startTime: 1 }));
    expect(findStaleWorkspaces(parent).map((workspace) => workspace.dir)).toEqual([reused]);
  });

  it("an earlier run that had this run's pid does not keep its workspace (its start time differs)", async () => {
    const earlier = await workspace("croncd-earlier", owner(process.pid, { startTime: 1 }));
    expect(findStaleWorkspaces(parent).map((workspace) => workspace.dir)).toEqual([earlier]);
  });

  it("a live owner with a matching start time keeps its workspace", async () => {
    const mine = path.join(parent, "croncd-live");
    await mkdir(mine);
    writeOwnerFile(mine);
    expect(findStaleWorkspaces(parent)).toEqual([]);
    expect(await readdir(parent)).toEqual(["croncd-live"]);
  });
});
