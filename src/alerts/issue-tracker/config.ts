/** croncd.yaml `alerts.issue`: one issue per failing target, in a GitLab project or a GitHub repository. */
import * as z from "zod";
import { envName } from "../../config/fields.js";

const labels = z.array(z.string().min(1)).min(1).default(["croncd"]);

export const issueTrackerSchema = z.union([
  z
    .object({
      gitlab: z
        .object({
          /** `group/project` or the numeric project id. */
          project: z.union([z.string().min(1), z.number().int().positive()]),
          tokenEnv: envName,
          /** The API root, e.g. https://gitlab.example.com/api/v4 (default: $CI_API_V4_URL). */
          apiUrl: z.url().optional(),
        })
        .strict(),
      labels,
    })
    .strict(),
  z
    .object({
      github: z
        .object({
          /** `owner/name`. */
          repository: z.string().regex(/^[\w.-]+\/[\w.-]+$/, "must be owner/name"),
          tokenEnv: envName,
          /** The API root (default: $GITHUB_API_URL or https://api.github.com). */
          apiUrl: z.url().optional(),
        })
        .strict(),
      labels,
    })
    .strict(),
]);
export type IssueTrackerConfig = z.infer<typeof issueTrackerSchema>;
