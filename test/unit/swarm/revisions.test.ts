import { describe, expect, it } from "vitest";
import { revisionsToRemove } from "../../../src/targets/swarm/object-revisions.js";

const object = (name: string, minute: number) => ({
  ID: name,
  CreatedAt: `2026-01-01T00:${String(minute).padStart(2, "0")}:00Z`,
  Spec: { Name: name },
});

describe("revisionsToRemove", () => {
  it("keeps the newest unused revisions of each object and removes the older ones", () => {
    const unused = [
      object("web_db_password-aaaaaaaaaaaa", 1),
      object("web_db_password-bbbbbbbbbbbb", 3),
      object("web_db_password-cccccccccccc", 2),
      object("web_page-dddddddddddd", 1),
    ];
    expect(revisionsToRemove(unused, 1).sort()).toEqual([
      "web_db_password-aaaaaaaaaaaa",
      "web_db_password-cccccccccccc",
    ]);
    expect(revisionsToRemove(unused, 0).sort()).toHaveLength(4);
    expect(revisionsToRemove(unused, 5)).toEqual([]);
  });

  it("never removes an object whose name is not content-addressed", () => {
    expect(revisionsToRemove([object("hand_made", 1), object("web_x-notahexvalue", 2)], 0)).toEqual([]);
  });
});
