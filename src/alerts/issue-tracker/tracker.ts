/** The issue operations croncd's alert needs, one implementation per platform (gitlab.ts, github.ts). */
import type { ForgeAuthor } from "../../forge/author.js";

export interface TrackedIssue {
  /** GitLab's iid, GitHub's number. */
  number: number;
  url: string;
  body: string;
  author: ForgeAuthor;
}

export interface IssueTracker {
  /** For messages: `project group/app`, `repository owner/name`. */
  readonly description: string;
  /** The largest issue description or comment the platform accepts, in characters. */
  readonly maxBodyLength: number;
  /** The token's own account, or undefined when the platform will not say (GitHub's GITHUB_TOKEN). */
  whoAmI(): Promise<ForgeAuthor | undefined>;
  /** Every open issue carrying the label, all pages, oldest first. */
  listOpen(label: string): Promise<TrackedIssue[]>;
  create(issue: { title: string; body: string; labels: readonly string[] }): Promise<TrackedIssue>;
  comment(number: number, body: string): Promise<void>;
  /** Replaces the description; `close` closes the issue in the same request. */
  update(number: number, change: { body: string; close?: boolean }): Promise<void>;
}
