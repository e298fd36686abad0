/** The link an alert carries to the source commit on its forge (the job's link: util/ci-job-url.ts). */

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
