import { describe, expect, it } from "vitest";
import { failureFingerprint, stableCause } from "../../../src/alerts/fingerprint.js";

const base = { target: "prod", kind: "stack", name: "web", causeClass: "unhealthy", commit: "abc123" };

describe("stableCause", () => {
  it("drops what changes between identical failures", () => {
    const first =
      "service web_app: task 3q9v8k2m1x0z7y6w5v4u3t2s1 failed at 2026-12-05T05:24:48.123Z after 12.5s: " +
      "container 0123456789ab exited (pid 4121), 1/3 running, attempt 2 of 5";
    const second =
      "service web_app: task 9z8y7x6w5v4u3t2s1r0q9p8o7 failed at 2026-12-05T06:01:02Z after 1m3.2s: " +
      "container ba9876543210 exited (pid 77), 0/3 running, attempt 4 of 5";
    expect(stableCause(first)).toBe(stableCause(second));
    expect(stableCause(first)).toContain("service web_app");
    expect(stableCause(first)).not.toMatch(/2026|12\.5s|4121/);
  });

  it("drops croncd's temporary folders, which are new on every run", () => {
    const at = (dir: string) => stableCause(`Error: path "${dir}/helmfile-overlay/charts/missing" not found`);
    expect(at("/tmp/croncd-Ab12Cd")).toBe(at("/var/tmp/runner/croncd-zZ9yX8"));
    expect(at("/tmp/croncd-Ab12Cd")).toBe(
      'Error: path "<workspace>/helmfile-overlay/charts/missing" not found',
    );
  });

  it("keeps the words that say what broke", () => {
    expect(stableCause("image busybox:1.36 not found; port 8080 already in use")).toBe(
      "image busybox:1.36 not found; port 8080 already in use",
    );
  });
});

describe("failureFingerprint", () => {
  it("is the same for the same failure with other timestamps and durations", () => {
    const a = failureFingerprint({ ...base, cause: "rolled back after 30s at 2026-12-05T05:00:00Z" });
    const b = failureFingerprint({ ...base, cause: "rolled back after 45.2s at 2026-12-05T05:05:00Z" });
    expect(a).toBe(b);
    expect(a).toMatch(/^[0-9a-f]{16}$/);
  });

  it("changes with another cause, another commit or another item", () => {
    const a = failureFingerprint({ ...base, cause: "rolled back" });
    expect(failureFingerprint({ ...base, cause: "image not found" })).not.toBe(a);
    expect(failureFingerprint({ ...base, cause: "rolled back", commit: "def456" })).not.toBe(a);
    expect(failureFingerprint({ ...base, name: "api", cause: "rolled back" })).not.toBe(a);
    expect(failureFingerprint({ ...base, causeClass: "deploy", cause: "rolled back" })).not.toBe(a);
  });
});
