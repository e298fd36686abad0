// In-memory issues of the forge API stand-in: GitLab project issues and GitHub repository issues.
// Each issue's comments live in the comment store under its thread key, so the existing notes and
// comments routes serve them once the issue exists.
import { threadKey, type ForgeUser } from "./store.js";

export type IssuePlatform = "gitlab" | "github";

export interface StoredIssue {
  platform: IssuePlatform;
  /** GitLab project id or path (`7`, `group/app`); GitHub `owner/name`. */
  project: string;
  /** GitLab iid, GitHub number. */
  number: number;
  title: string;
  body: string;
  labels: string[];
  state: "open" | "closed";
  /** GitHub's state_reason when closed (`completed`, `not_planned`). */
  stateReason?: string;
  author: ForgeUser;
  /** The key of its comment thread (ForgeApi.comments). */
  thread: string;
}

export interface NewIssue {
  title: string;
  body?: string;
  labels?: readonly string[];
}

export class IssueStore {
  private readonly issues: StoredIssue[] = [];

  /** `onCreate` makes the new issue's comment thread exist. */
  constructor(private readonly onCreate: (thread: string) => void) {}

  /** Copies, oldest first. */
  list(platform: IssuePlatform, project: string): StoredIssue[] {
    return this.issues
      .filter((issue) => issue.platform === platform && issue.project === project)
      .map((issue) => ({ ...issue, labels: [...issue.labels] }));
  }

  get(platform: IssuePlatform, project: string, number: number): StoredIssue | undefined {
    return this.list(platform, project).find((issue) => issue.number === number);
  }

  create(platform: IssuePlatform, project: string, author: ForgeUser, issue: NewIssue): StoredIssue {
    const number = Math.max(0, ...this.list(platform, project).map((existing) => existing.number)) + 1;
    const thread =
      platform === "gitlab" ? threadKey.gitlabIssue(project, number) : threadKey.githubIssue(project, number);
    const stored: StoredIssue = {
      platform,
      project,
      number,
      title: issue.title,
      body: issue.body ?? "",
      labels: [...(issue.labels ?? [])],
      state: "open",
      author,
      thread,
    };
    this.issues.push(stored);
    this.onCreate(thread);
    return { ...stored, labels: [...stored.labels] };
  }

  update(
    platform: IssuePlatform,
    project: string,
    number: number,
    change: Partial<Pick<StoredIssue, "title" | "body" | "labels" | "state" | "stateReason">>,
  ): StoredIssue | undefined {
    const issue = this.issues.find(
      (candidate) =>
        candidate.platform === platform && candidate.project === project && candidate.number === number,
    );
    if (!issue) return undefined;
    Object.assign(issue, change);
    return { ...issue, labels: [...issue.labels] };
  }
}

/** Issues carrying every one of the comma-separated labels (GitLab and GitHub filter alike). */
export function withAllLabels(issues: StoredIssue[], labels: string | null): StoredIssue[] {
  const wanted = (labels ?? "").split(",").filter((label) => label !== "");
  return issues.filter((issue) => wanted.every((label) => issue.labels.includes(label)));
}

/** Oldest first when `ascending`, newest first otherwise (both platforms default to newest first). */
export function byCreation(issues: StoredIssue[], ascending: boolean): StoredIssue[] {
  return [...issues].sort((a, b) => (ascending ? a.number - b.number : b.number - a.number));
}
