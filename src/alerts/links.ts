/** Links an alert carries: the source commit on its forge, and the CI job that saw it. */

/**
 * The commit's web page when the source URL is a known forge's (github.com, or a host named
 * gitlab...): an https URL of the repository plus the forge's commit path. Otherwise none —
 * a guessed link that 404s is worse than the bare SHA.
 */
export function commitUrl(sourceUrl: string, sha: string): string | undefined {
  let url: URL;
  try {
    url = new URL(sourceUrl);
  } catch {
    return undefined;
  }
  if (url.protocol !== "https:") return undefined;
  const repository = `${url.origin}${url.pathname.replace(/\.git$/, "").replace(/\/$/, "")}`;
  if (url.hostname === "github.com") return `${repository}/commit/${sha}`;
  if (/^gitlab\./.test(url.hostname) || url.hostname === "gitlab.com") return `${repository}/-/commit/${sha}`;
  return undefined;
}

/** CI_JOB_URL in GitLab; the run's page in GitHub Actions; none elsewhere. */
export function ciJobUrl(env: NodeJS.ProcessEnv): string | undefined {
  if (env.CI_JOB_URL) return env.CI_JOB_URL;
  if (env.GITHUB_RUN_ID && env.GITHUB_REPOSITORY) {
    return `${env.GITHUB_SERVER_URL ?? "https://github.com"}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}`;
  }
  return undefined;
}
