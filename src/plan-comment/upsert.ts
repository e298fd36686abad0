/**
 * Create-or-edit of one comment in a thread (a merge request's notes, a pull request's comments):
 * the platform-neutral half of the plan comment. Never posts a second comment for the same marker.
 */
import { writtenByMe, type ForgeAuthor } from "../forge/author.js";
import { carriesMarker } from "./marker.js";

export type CommentAuthor = ForgeAuthor;

export interface PostedComment {
  id: number;
  body: string;
  author: CommentAuthor;
}

/** The operations the plan comment needs, one implementation per platform. */
export interface CommentThread {
  /** For messages: `merge request !12 of project 7`. */
  readonly description: string;
  /** The largest body the platform accepts, in characters. */
  readonly maxBodyLength: number;
  /**
   * The token's own account, or undefined when the platform will not say (GitHub answers 403 to
   * `GET /user` for GITHUB_TOKEN, an app installation token).
   */
  whoAmI(): Promise<CommentAuthor | undefined>;
  /** Every comment, all pages, oldest first. */
  list(): Promise<PostedComment[]>;
  create(body: string): Promise<PostedComment>;
  edit(id: number, body: string): Promise<PostedComment>;
}

export type UpsertAction = "created" | "edited" | "unchanged";

export interface UpsertResult {
  action: UpsertAction;
  id: number;
}

export async function upsertComment(
  thread: CommentThread,
  marker: string,
  body: string,
): Promise<UpsertResult> {
  const me = await thread.whoAmI();
  const comments = await thread.list();
  // Someone else's comment that starts with the same marker (copied, or written by another tool)
  // is left alone.
  const own = comments.find(
    (comment) => carriesMarker(comment.body, marker) && writtenByMe(comment.author, me),
  );
  if (!own) return { action: "created", id: (await thread.create(body)).id };
  // A push that changes nothing in the plan leaves the comment (and its "edited" time) alone.
  if (own.body === body) return { action: "unchanged", id: own.id };
  await thread.edit(own.id, body);
  return { action: "edited", id: own.id };
}
