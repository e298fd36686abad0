/**
 * One issue per target, kept in step with the target's failures: opened when it starts failing,
 * commented (and its table rewritten) only when the set of failures changes, closed with a comment
 * when everything has recovered. The issue is found again by label and hidden marker on every run,
 * so croncd's own alert state may be lost without a second issue. A closed issue is never reopened:
 * a new failure after a recovery is a new incident, with its own issue.
 */
import { writtenByMe, type ForgeAuthor } from "../../forge/author.js";
import { diffFailures, markedFailures } from "./changes.js";
import { parseMarker, sameFailures, type IssueMarker } from "./marker.js";
import {
  changeComment,
  failingBody,
  issueTitle,
  recoveredBody,
  recoveryComment,
  type IssueContext,
} from "./render.js";
import type { IssueTracker, TrackedIssue } from "./tracker.js";
import type { IssueSyncResult, TargetFailure } from "./types.js";

export interface TrackerSync {
  target: string;
  failures: readonly TargetFailure[];
  labels: readonly string[];
  commit?: { sha: string; url?: string };
  jobUrl?: string;
  /** Applied to every title, body and comment before it is sent. */
  mask: (text: string) => string;
}

export async function syncWithTracker(tracker: IssueTracker, sync: TrackerSync): Promise<IssueSyncResult> {
  const found = await findOwnIssue(tracker, sync);
  const context: IssueContext = {
    target: sync.target,
    maxLength: tracker.maxBodyLength,
    ...(sync.commit ? { commit: sync.commit } : {}),
    ...(sync.jobUrl ? { jobUrl: sync.jobUrl } : {}),
  };
  if (sync.failures.length === 0) {
    // An issue a person reopened after croncd closed it is theirs to close.
    if (!found || found.marker.failures.length === 0)
      return found ? { action: "unchanged", url: found.issue.url } : { action: "none" };
    await tracker.comment(found.issue.number, sync.mask(recoveryComment(context)));
    await tracker.update(found.issue.number, { body: sync.mask(recoveredBody(context)), close: true });
    return { action: "closed", url: found.issue.url };
  }

  const marked = markedFailures(sync.failures);
  const body = sync.mask(failingBody(context, sync.failures, marked));
  if (!found) {
    const created = await tracker.create({
      title: sync.mask(issueTitle(sync.target)),
      body,
      labels: sync.labels,
    });
    return { action: "opened", url: created.url };
  }
  if (sameFailures(found.marker.failures, marked)) return { action: "unchanged", url: found.issue.url };
  // The comment goes first: should the edit fail, the next run still sees the old failures in the
  // marker and says it again, rather than never saying it.
  const changes = diffFailures(found.marker.failures, sync.failures);
  await tracker.comment(found.issue.number, sync.mask(changeComment(context, changes)));
  await tracker.update(found.issue.number, { body });
  return { action: "commented", url: found.issue.url };
}

interface FoundIssue {
  issue: TrackedIssue;
  marker: IssueMarker;
}

/**
 * croncd's open issue for the target: it carries the first label, its description starts with the
 * target's marker, and croncd's own account wrote it (an issue a person or another tool wrote with
 * a copied marker is left alone). Should there be several (two runs racing), the oldest is kept.
 */
async function findOwnIssue(tracker: IssueTracker, sync: TrackerSync): Promise<FoundIssue | undefined> {
  const me: ForgeAuthor | undefined = await tracker.whoAmI();
  const candidates = await tracker.listOpen(sync.labels[0] as string);
  const own = candidates
    .map((issue) => ({ issue, marker: parseMarker(issue.body) }))
    .filter(
      (candidate): candidate is FoundIssue =>
        candidate.marker?.target === sync.target && writtenByMe(candidate.issue.author, me),
    )
    .sort((a, b) => a.issue.number - b.issue.number);
  return own[0];
}
