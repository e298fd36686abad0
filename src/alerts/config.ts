/** croncd.yaml `alerts:`: when to tell people (transitions only), and where. */
import * as z from "zod";
import { issueTrackerSchema } from "./issue-tracker/config.js";
import { notifierSchema } from "./notifiers/config.js";

export const ALERT_DEFAULTS = {
  /** Seconds between reminders while an item stays failed the same way (0: no reminders). */
  repeatInterval: 24 * 3600,
  /** Seconds a git server or target may be unreachable before anyone is notified. */
  unavailableGrace: 15 * 60,
} as const;

export const alertsSchema = z
  .object({
    repeatInterval: z.number().int().min(0).default(ALERT_DEFAULTS.repeatInterval),
    unavailableGrace: z.number().int().min(0).default(ALERT_DEFAULTS.unavailableGrace),
    notifiers: z
      .array(notifierSchema)
      .default([])
      .superRefine((notifiers, ctx) => {
        // The report's deliveries are named by notifier: two of one name could not be told apart.
        const seen = new Set<string>();
        notifiers.forEach((notifier, index) => {
          if (seen.has(notifier.name)) {
            ctx.addIssue({
              code: "custom",
              path: [index, "name"],
              message: `another notifier is already named "${notifier.name}"; give each a name of its own`,
            });
          }
          seen.add(notifier.name);
        });
      }),
    issue: issueTrackerSchema.optional(),
  })
  .strict();
export type AlertsConfig = z.infer<typeof alertsSchema>;
