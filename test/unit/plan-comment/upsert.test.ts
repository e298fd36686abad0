import { describe, expect, it } from "vitest";
import { commentMarker } from "../../../src/plan-comment/marker.js";
import {
  upsertComment,
  type CommentAuthor,
  type CommentThread,
  type PostedComment,
} from "../../../src/plan-comment/upsert.js";

const croncd: CommentAuthor = { id: "croncd-bot", bot: true };
const alice: CommentAuthor = { id: "alice", bot: false };
const renovate: CommentAuthor = { id: "renovate[bot]", bot: true };
const marker = commentMarker("k1");

/** A thread in memory; `me` undefined plays GitHub's GITHUB_TOKEN, which cannot ask who it is. */
function memoryThread(me: CommentAuthor | undefined, seed: PostedComment[] = []) {
  const comments = [...seed];
  const author = me ?? { id: "github-actions[bot]", bot: true };
  let nextId = 100;
  const thread: CommentThread = {
    description: "merge request !1",
    maxBodyLength: 1000,
    whoAmI: () => Promise.resolve(me),
    list: () => Promise.resolve(comments.map((comment) => ({ ...comment }))),
    create(body) {
      const comment = { id: nextId++, body, author };
      comments.push(comment);
      return Promise.resolve(comment);
    },
    edit(id, body) {
      const comment = comments.find((candidate) => candidate.id === id) as PostedComment;
      comment.body = body;
      return Promise.resolve(comment);
    },
  };
  return { thread, comments };
}

describe("upsertComment", () => {
  it("creates the comment on the first push and edits that same comment on the next", async () => {
    const { thread, comments } = memoryThread(croncd);
    expect(await upsertComment(thread, marker, `${marker}\nv1`)).toEqual({ action: "created", id: 100 });
    expect(await upsertComment(thread, marker, `${marker}\nv2`)).toEqual({ action: "edited", id: 100 });
    expect(comments).toEqual([{ id: 100, body: `${marker}\nv2`, author: croncd }]);
  });

  it("leaves an unchanged comment alone", async () => {
    const { thread } = memoryThread(croncd, [{ id: 1, body: `${marker}\nsame`, author: croncd }]);
    expect(await upsertComment(thread, marker, `${marker}\nsame`)).toEqual({ action: "unchanged", id: 1 });
  });

  it("never edits a comment someone else wrote, even one that starts with the marker", async () => {
    const copied = { id: 1, body: `${marker}\ncopied by hand`, author: alice };
    const quoted = { id: 2, body: `> ${marker}\n> ### croncd plan`, author: croncd };
    const { thread, comments } = memoryThread(croncd, [copied, quoted]);
    expect(await upsertComment(thread, marker, `${marker}\nplan`)).toEqual({ action: "created", id: 100 });
    expect(comments.slice(0, 2)).toEqual([copied, quoted]);
  });

  it("keeps comments of another key apart", async () => {
    const other = { id: 1, body: `${commentMarker("k2")}\nother config`, author: croncd };
    const { thread, comments } = memoryThread(croncd, [other]);
    await upsertComment(thread, marker, `${marker}\nplan`);
    expect(comments).toHaveLength(2);
    expect(comments[0]).toEqual(other);
  });

  it("without a known identity, edits only a bot's comment (what an app token posts as)", async () => {
    const byPerson = { id: 1, body: `${marker}\nold`, author: alice };
    const byApp = { id: 2, body: `${marker}\nold`, author: { id: "github-actions[bot]", bot: true } };
    const { thread, comments } = memoryThread(undefined, [byPerson, byApp]);
    expect(await upsertComment(thread, marker, `${marker}\nnew`)).toEqual({ action: "edited", id: 2 });
    expect(comments[0]?.body).toBe(`${marker}\nold`);
  });

  it("with a known identity, leaves another bot's comment alone", async () => {
    const { thread, comments } = memoryThread(croncd, [{ id: 1, body: `${marker}\nold`, author: renovate }]);
    expect(await upsertComment(thread, marker, `${marker}\nnew`)).toEqual({ action: "created", id: 100 });
    expect(comments[0]?.body).toBe(`${marker}\nold`);
  });
});
