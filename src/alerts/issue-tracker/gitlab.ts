/** Issues of a GitLab project through @gitbeaker/rest (the token travels as PRIVATE-TOKEN). */
import { IssueNotes, Issues } from "@gitbeaker/rest";
import { gitLabAuthor, gitLabCall, gitLabClientOptions, gitLabWhoAmI } from "../../forge/gitlab-call.js";
import type { IssueTracker, TrackedIssue } from "./tracker.js";

/** GitLab's limit on an issue description and a note. */
export const GITLAB_ISSUE_MAX_LENGTH = 1_000_000;

interface GitLabIssue {
  iid: number;
  web_url: string;
  description?: string | null;
  author: { id: number; bot?: boolean };
}

export function gitLabIssues(
  apiUrl: string,
  project: string | number,
  token: string,
  timeoutMs: number,
): IssueTracker {
  const options = gitLabClientOptions(apiUrl, token, timeoutMs);
  const issues = new Issues(options);
  const notes = new IssueNotes(options);
  const projectUrl = `${apiUrl.replace(/\/+$/, "")}/projects/${encodeURIComponent(String(project))}`;
  const toIssue = (issue: GitLabIssue): TrackedIssue => ({
    number: issue.iid,
    url: issue.web_url,
    body: issue.description ?? "",
    author: gitLabAuthor(issue.author),
  });
  return {
    description: `GitLab project ${project}`,
    maxBodyLength: GITLAB_ISSUE_MAX_LENGTH,
    whoAmI: () => gitLabWhoAmI(apiUrl, options),
    async listOpen(label) {
      const found = (await gitLabCall("GET", `${projectUrl}/issues`, () =>
        issues.all({
          projectId: project,
          labels: label,
          state: "opened",
          orderBy: "created_at",
          sort: "asc",
          perPage: 100,
        }),
      )) as unknown as GitLabIssue[];
      return found.map(toIssue);
    },
    async create({ title, body, labels }) {
      const created = await gitLabCall("POST", `${projectUrl}/issues`, () =>
        issues.create(project, title, { description: body, labels: labels.join(",") }),
      );
      return toIssue(created);
    },
    async comment(number, body) {
      await gitLabCall("POST", `${projectUrl}/issues/${number}/notes`, () =>
        notes.create(project, number, body),
      );
    },
    async update(number, change) {
      await gitLabCall("PUT", `${projectUrl}/issues/${number}`, () =>
        issues.edit(project, number, {
          description: change.body,
          ...(change.close ? { stateEvent: "close" } : {}),
        }),
      );
    },
  };
}
