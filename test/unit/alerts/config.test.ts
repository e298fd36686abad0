import { describe, expect, it } from "vitest";
import { alertsSchema, ALERT_DEFAULTS } from "../../../src/alerts/config.js";

describe("alerts config", () => {
  it("fills the defaults", () => {
    expect(alertsSchema.parse({})).toEqual({
      repeatInterval: ALERT_DEFAULTS.repeatInterval,
      unavailableGrace: ALERT_DEFAULTS.unavailableGrace,
      notifiers: [],
    });
  });

  it("refuses two notifiers of one name, naming the second", () => {
    const result = alertsSchema.safeParse({
      notifiers: [
        { name: "ops", type: "slack", urlEnv: "SLACK_URL" },
        { name: "ops", type: "teams", urlEnv: "TEAMS_URL" },
      ],
    });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(["notifiers", 1, "name"]);
    expect(result.error?.issues[0]?.message).toMatch(/already named "ops"/);
  });
});
