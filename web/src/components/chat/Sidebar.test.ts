/** Tests of the sidebar's grouping: by date, and the pinned and the filed apart. */
import { describe, expect, it } from "vitest";

import type { Conversation } from "../../types";
import { arrange, groupByDate } from "./Sidebar";

const at = (iso: string, id: string): Conversation => ({
  id, title: id, title_source: "user", system_prompt: "", model: null, max_tokens: null, selected_leaf_id: null, source: "app",
  created_at: iso, updated_at: iso, pinned: false, archived: false,
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

describe("arrange", () => {
  it("puts the pinned apart, then those in a known folder, and dates the rest", () => {
    const today = new Date().toISOString();
    const pinned = { ...at(today, "p"), pinned: true, folder_id: "f1" };
    const filed = { ...at(today, "f"), folder_id: "f1" };
    const lost = { ...at(today, "l"), folder_id: "gone" };
    const folder = { id: "f1", name: "Work", created_at: today, updated_at: today };
    const parts = arrange([pinned, filed, lost, at(today, "u")], [folder]);
    expect(parts.pinned.map((c) => c.id)).toEqual(["p"]);
    expect(parts.filed.map((c) => c.id)).toEqual(["f"]);
    expect(parts.groups.flatMap(([, items]) => items.map((c) => c.id))).toEqual(["l", "u"]);
  });
});
