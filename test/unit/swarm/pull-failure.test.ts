import { describe, expect, it } from "vitest";
import { explainPullFailure } from "../../../src/targets/swarm/pull-failure.js";
import type { TagLookup } from "../../../src/registry/tag-digests.js";

describe("explainPullFailure", () => {
  it("asks about the image a task could not find, without docker's digest pin, and appends the registry's answer", async () => {
    const asked: string[] = [];
    const lookUp = (image: string): Promise<TagLookup> => {
      asked.push(image);
      return Promise.resolve({
        error: "r.example.com: HEAD … answered 401: UNAUTHORIZED: authentication required",
      });
    };
    const reason = `web_app: tasks keep failing: No such image: r.example.com/app:1@sha256:${"d".repeat(64)}`;
    expect(await explainPullFailure(reason, lookUp)).toBe(
      `${reason} (the registry says: r.example.com: HEAD … answered 401: UNAUTHORIZED: authentication required)`,
    );
    expect(asked).toEqual(["r.example.com/app:1"]);
  });

  it("leaves other failures alone and asks nothing", async () => {
    const lookUp = (): Promise<TagLookup> => Promise.reject(new Error("must not be asked"));
    expect(await explainPullFailure("task: non-zero exit (1)", lookUp)).toBe("task: non-zero exit (1)");
  });

  it("adds nothing when the registry serves the image to the job (the nodes' problem is elsewhere)", async () => {
    const lookUp = (): Promise<TagLookup> => Promise.resolve({ digest: `sha256:${"e".repeat(64)}` });
    expect(await explainPullFailure("No such image: r.example.com/app:1", lookUp)).toBe(
      "No such image: r.example.com/app:1",
    );
  });
});
