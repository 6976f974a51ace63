import { describe, expect, it } from "vitest";

import { importOutcome, progressText } from "./imports";
import type { Conversation, ImportedConversations, ImportProgress } from "./types";

const conversation = { id: "c1", title: "Trip" } as Conversation;

describe("importOutcome", () => {
  it("opens relaychat's imported copy", () => {
    expect(importOutcome(conversation)).toEqual({ kind: "written", openId: "c1" });
  });

  it("opens the first of another app's conversations, or none", () => {
    const many: ImportedConversations = { conversations: [conversation, { ...conversation, id: "c2" }] };
    expect(importOutcome(many)).toEqual({ kind: "written", openId: "c1" });
    expect(importOutcome({ conversations: [] })).toEqual({ kind: "written", openId: null });
  });

  it("follows a job", () => {
    const progress: ImportProgress = { import_id: "i1", status: "running", done: 0, total: 25, error: null };
    expect(importOutcome(progress)).toEqual({ kind: "job", progress });
  });
});

describe("progressText", () => {
  it("counts conversations", () => {
    expect(progressText({ done: 1200, total: 2400 })).toBe("1,200 of 2,400 conversations");
    expect(progressText({ done: 0, total: 1 })).toBe("0 of 1 conversation");
  });
});
