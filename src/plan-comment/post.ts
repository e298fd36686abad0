/**
 * `croncd plan --comment`: posts the plan on the merge request / pull request of the CI job, as one
 * comment found again by its marker and edited in place on every push.
 *
 * Posting never fails the job: the plan's own result (and exit code) is what the pipeline is about,
 * and the plan is in the log and the job summary anyway. Every way it can go wrong — no merge
 * request, no token, a refusal, a hung API — comes back as a warning that says what to do.
 */
import { describeError } from "../errors.js";
import { HttpError } from "../ports/http.js";
import type { RunReport } from "../report/json-report.js";
import type { SecretMasker } from "../report/mask.js";
import { renderCommentBody } from "./body.js";
import { findCommentPlace, type CommentPlace } from "./ci-context.js";
import { gitHubThread } from "./github-thread.js";
import { gitLabThread } from "./gitlab-thread.js";
import {
  commentKey,
  commentMarker,
  displayedConfigPath,
  displayedTargets,
  type CommentScope,
} from "./marker.js";
import { upsertComment, type UpsertAction } from "./upsert.js";

/** Per API request; each page of a long listing gets its own. */
export const DEFAULT_COMMENT_TIMEOUT_MS = 30_000;

export interface PlanCommentRequest {
  report: RunReport;
  scope: CommentScope;
  env: NodeJS.ProcessEnv;
  /** `--comment-token-env`: the variable holding the token (default per platform). */
  tokenEnv?: string;
  masker: SecretMasker;
  timeoutMs?: number;
}

export type PlanCommentOutcome = { posted: UpsertAction; where: string } | { warning: string };

export async function postPlanComment(request: PlanCommentRequest): Promise<PlanCommentOutcome> {
  const lookup = findCommentPlace(request.env, request.tokenEnv);
  if ("notPostable" in lookup) return { warning: `plan comment not posted: ${lookup.notPostable}` };
  const { place } = lookup;
  if (!place.token) return { warning: `plan comment not posted: ${missingTokenAdvice(place)}` };
  request.masker.add(place.token);

  const timeoutMs = request.timeoutMs ?? DEFAULT_COMMENT_TIMEOUT_MS;
  const thread =
    place.platform === "gitlab"
      ? gitLabThread(place, place.token, timeoutMs)
      : gitHubThread(place, place.token, timeoutMs);
  const marker = commentMarker(commentKey(request.scope));
  const body = request.masker.mask(
    renderCommentBody({
      report: request.masker.maskValues(request.report) as RunReport,
      marker,
      configPath: displayedConfigPath(request.scope),
      targets: displayedTargets(request.scope),
      ...(place.commit ? { commit: place.commit } : {}),
      ...(place.jobUrl ? { jobUrl: place.jobUrl } : {}),
      maxLength: thread.maxBodyLength,
    }),
  );
  try {
    const result = await upsertComment(thread, marker, body);
    return { posted: result.action, where: thread.description };
  } catch (error) {
    const advice = error instanceof HttpError ? adviceFor(error, place) : undefined;
    const message = `plan comment on ${thread.description} not posted: ${describeError(error)}`;
    return { warning: request.masker.mask(advice ? `${message} (${advice})` : message) };
  }
}

function missingTokenAdvice(place: CommentPlace): string {
  if (place.platform === "gitlab") {
    return (
      `${place.tokenEnv} is empty or not set. CI_JOB_TOKEN cannot write merge request notes: create a ` +
      "project access token with the api scope and at least the Reporter role (Settings > Access tokens) " +
      `and store it as a masked CI/CD variable named ${place.tokenEnv}`
    );
  }
  return (
    `${place.tokenEnv} is empty or not set: pass the token to the step, e.g. ` +
    `env: ${place.tokenEnv}: \${{ github.token }}, with permissions: pull-requests: write`
  );
}

/** What to do about a refusal, by status; the server's own words are already in the message. */
function adviceFor(error: HttpError, place: CommentPlace): string | undefined {
  const gitlab = place.platform === "gitlab";
  if (error.timedOut) return "the API did not answer in time; the plan is in the job log";
  switch (error.status) {
    case 401:
      return `the token in ${place.tokenEnv} was refused: it is wrong, expired or revoked`;
    case 403:
      return gitlab
        ? `the token in ${place.tokenEnv} may not write notes: it needs the api scope and at least the Reporter role in this project`
        : "the job needs permissions: pull-requests: write (a pull request from a fork gets a read-only token)";
    case 404:
      return gitlab
        ? `the token in ${place.tokenEnv} cannot see project ${place.projectId} or its merge request !${place.mergeRequestIid}`
        : `the token in ${place.tokenEnv} cannot see ${place.repository} or its pull request #${place.pullNumber}`;
    default:
      return error.status !== undefined && error.status >= 500
        ? "the API failed on its side; the plan is in the job log"
        : undefined;
  }
}
