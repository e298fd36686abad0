/** Issues of a GitHub repository through its REST API, over the http port. */
import { gitHubAuthor, gitHubRest, gitHubWhoAmI, type GitHubUser } from "../../forge/github-rest.js";
import { nextPageUrl } from "../../ports/http.js";
import type { IssueTracker, TrackedIssue } from "./tracker.js";

/** GitHub refuses issue bodies and comments longer than this. */
export const GITHUB_ISSUE_MAX_LENGTH = 65_536;

interface GitHubIssue {
  number: number;
  html_url: string;
  body?: string | null;
  user?: GitHubUser | null;
  /** Present on pull requests, which GitHub lists among issues. */
  pull_request?: unknown;
}

export function gitHubIssues(
  apiUrl: string,
  repository: string,
  token: string,
  timeoutMs: number,
): IssueTracker {
  const rest = gitHubRest(apiUrl, token, timeoutMs);
  const issuesUrl = `${rest.api}/repos/${repository}/issues`;
  const toIssue = (issue: GitHubIssue): TrackedIssue => ({
    number: issue.number,
    url: issue.html_url,
    body: issue.body ?? "",
    author: gitHubAuthor(issue.user),
  });
  return {
    description: `GitHub repository ${repository}`,
    maxBodyLength: GITHUB_ISSUE_MAX_LENGTH,
    whoAmI: () => gitHubWhoAmI(rest),
    async listOpen(label) {
      const found: TrackedIssue[] = [];
      const query = `state=open&labels=${encodeURIComponent(label)}&sort=created&direction=asc&per_page=100`;
      let url: string | undefined = `${issuesUrl}?${query}`;
      while (url) {
        const answer = await rest.call("GET", url);
        const page = (answer.json ?? []) as GitHubIssue[];
        found.push(...page.filter((issue) => issue.pull_request === undefined).map(toIssue));
        url = nextPageUrl(answer.headers);
      }
      return found;
    },
    async create({ title, body, labels }) {
      const created = await rest.call("POST", issuesUrl, { title, body, labels });
      return toIssue(created.json as GitHubIssue);
    },
    async comment(number, body) {
      await rest.call("POST", `${issuesUrl}/${number}/comments`, { body });
    },
    async update(number, change) {
      await rest.call("PATCH", `${issuesUrl}/${number}`, {
        body: change.body,
        ...(change.close ? { state: "closed", state_reason: "completed" } : {}),
      });
    },
  };
}
