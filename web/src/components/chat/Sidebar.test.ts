/** Tests of the sidebar's grouping by date. */
import { describe, expect, it } from "vitest";

import type { Conversation } from "../../types";
import { groupByDate } from "./Sidebar";

const at = (iso: string, id: string): Conversation => ({
  id, title: id, title_source: "user", system_prompt: "", model: null, max_tokens: null, selected_leaf_id: null, source: "app",
  created_at: iso, updated_at: iso,
});

describe("groupByDate", () => {
  it("groups by today, the previous 7 days and older, keeping the order", () => {
    const now = new Date("2026-11-24T15:00:00");
    const groups = groupByDate(
      [at("2026-11-24T09:00:00", "a"), at("2026-11-20T09:00:00", "b"), at("2026-11-01T09:00:00", "c"), at("2026-11-24T01:00:00", "d")],
      now,
    );
    expect(groups.map(([label, items]) => [label, items.map((c) => c.id)])).toEqual([
      ["Today", ["a", "d"]],
      ["Previous 7 days", ["b"]],
      ["Older", ["c"]],
    ]);
  });
});
