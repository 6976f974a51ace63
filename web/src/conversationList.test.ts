/** Tests of the sidebar list's reducer: choosing the app's or the API's conversations, and the races it settles. */
import { describe, expect, it } from "vitest";

import { type ConversationListAction, type ConversationListState, conversationListReducer, initialList, parseSource } from "./conversationList";
import { conversation } from "./testing";

function run(state: ConversationListState, ...actions: ConversationListAction[]): ConversationListState {
  return actions.reduce(conversationListReducer, state);
}

const chat = conversation({ id: "c1", title: "A chat" });
const fromApi = conversation({ id: "c2", title: "From a script", source: "api" });

describe("the sidebar's list", () => {
  it("shows the page loaded for the chosen kind", () => {
    const state = run(initialList("app"), { type: "loaded", source: "app", items: [chat], nextOffset: null });
    expect(state).toEqual({ source: "app", items: [chat], loaded: true, nextOffset: null });
  });

  it("empties at a switch, so the chats never show under the API's name, and fills with the API's page", () => {
    const loaded = run(initialList("app"), { type: "loaded", source: "app", items: [chat], nextOffset: null });
    const switched = run(loaded, { type: "chose", source: "api" });
    expect(switched).toEqual({ source: "api", items: [], loaded: false, nextOffset: null });
    expect(run(switched, { type: "loaded", source: "api", items: [fromApi], nextOffset: null })).toEqual({ source: "api", items: [fromApi], loaded: true, nextOffset: null });
    // Choosing what is listed already keeps it.
    expect(run(loaded, { type: "chose", source: "app" })).toBe(loaded);
  });

  it("drops a page asked for before a switch that arrives after it", () => {
    const state = run(initialList("app"), { type: "chose", source: "api" }, { type: "loaded", source: "app", items: [chat], nextOffset: null });
    expect(state).toEqual({ source: "api", items: [], loaded: false, nextOffset: null });
  });

  it("renames and removes in the list", () => {
    const state = run(initialList("api"), { type: "loaded", source: "api", items: [fromApi, conversation({ id: "c3", source: "api" })], nextOffset: null });
    const renamed = run(state, { type: "renamed", conversation: { ...fromApi, title: "Renamed" } });
    expect(renamed.items.map((c) => c.title)).toEqual(["Renamed", "A chat"]);
    expect(run(renamed, { type: "removed", ids: ["c3"] }).items.map((c) => c.id)).toEqual(["c2"]);
  });

  it("puts a pinned one first, newest pin first, and takes an archived one out", () => {
    const older = conversation({ id: "c1", updated_at: "2026-01-01T00:00:00Z" });
    const newer = conversation({ id: "c2", updated_at: "2026-01-02T00:00:00Z" });
    const state = run(initialList("app"), { type: "loaded", source: "app", items: [newer, older], nextOffset: null });
    const pinned = run(state, { type: "placed", conversation: { ...older, pinned: true, pinned_at: "2026-01-03T00:00:00Z" } });
    expect(pinned.items.map((c) => c.id)).toEqual(["c1", "c2"]);
    const archived = run(pinned, { type: "placed", conversation: { ...newer, archived: true, archived_at: "2026-01-04T00:00:00Z" } });
    expect(archived.items.map((c) => c.id)).toEqual(["c1"]);
    const restored = run(archived, { type: "placed", conversation: newer });
    expect(restored.items.map((c) => c.id)).toEqual(["c1", "c2"]);
  });

  it("adds an older page after those shown, once each, and knows when none is left", () => {
    const [a, b, c] = [conversation({ id: "c1" }), conversation({ id: "c2" }), conversation({ id: "c3" })];
    const first = run(initialList("app"), { type: "loaded", source: "app", items: [a, b], nextOffset: 2 });
    expect(first.nextOffset).toBe(2);
    // A new conversation pushed b onto the second page as well: it is shown once.
    const more = run(first, { type: "more", source: "app", items: [b, c], nextOffset: null });
    expect(more.items.map((item) => item.id)).toEqual(["c1", "c2", "c3"]);
    expect(more.nextOffset).toBeNull();
    // An older page of the kind no longer listed is not shown.
    expect(run(first, { type: "chose", source: "api" }, { type: "more", source: "app", items: [c], nextOffset: null }).items).toEqual([]);
  });

  it("reads a remembered choice, and lists the chats for anything else", () => {
    expect(parseSource("api")).toBe("api");
    expect(parseSource("app")).toBe("app");
    expect(parseSource(null)).toBe("app");
    expect(parseSource("everything")).toBe("app");
  });
});
