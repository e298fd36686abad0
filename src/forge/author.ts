/**
 * Who wrote a comment or an issue on GitLab or GitHub, and whether it was croncd's own account.
 * Shared by the plan comment and the issue alerts: both edit only what croncd itself wrote.
 */

export interface ForgeAuthor {
  /** The platform's stable id of the account (GitLab user id, GitHub login). */
  id: string;
  /** Bot accounts: GitLab project/group access tokens, GitHub Apps (GITHUB_TOKEN). */
  bot: boolean;
}

/**
 * True when `author` is croncd's own account. When the platform cannot tell who the token is
 * (GitHub answers 403 to `GET /user` for GITHUB_TOKEN), anything written by a bot account is taken,
 * since that is what an app token writes as.
 */
export function writtenByMe(author: ForgeAuthor, me: ForgeAuthor | undefined): boolean {
  return me ? author.id === me.id : author.bot;
}
