/** Tests of search results: marked matches, inert HTML, opening at the message. */
import { fireEvent, render } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";

import type { SearchResults as Results } from "../../types";
import { SearchResults } from "./SearchResults";

const results: Results = {
  conversations: [
    {
      conversation_id: "c1", conversation_title: "Trip notes", conversation_source: "app", message_id: null, role: null,
      snippet: [{ text: "Trip", hit: true }, { text: " notes", hit: false }], created_at: "2026-11-24T10:00:00Z",
    },
  ],
  messages: [
    {
      conversation_id: "c2", conversation_title: "Other", conversation_source: "api", message_id: "m9", role: "assistant",
      snippet: [
        { text: "…before <img src=x onerror=\"window.__xss=1\"> the ", hit: false },
        { text: "trip", hit: true },
        { text: " after…", hit: false },
      ],
      created_at: "2026-11-24T10:00:00Z",
    },
  ],
};

describe("search results", () => {
  it("marks the matched words, keeps any HTML as text, and opens at the message", () => {
    const onOpen = vi.fn();
    const { container, getAllByTestId } = render(
      <SearchResults results={results} searching={false} error={null} onOpen={onOpen} />,
    );
    expect([...container.querySelectorAll("mark")].map((mark) => mark.textContent)).toEqual(["Trip", "trip"]);
    expect(container.querySelector("img")).toBeNull();
    expect(getAllByTestId("search-snippet")[1]!.textContent).toContain('<img src=x onerror="window.__xss=1">');

    const [title, message] = getAllByTestId("search-result");
    // Only the conversation made through the API carries the API mark.
    expect(title!.querySelector("[data-testid='search-result-source']")).toBeNull();
    expect(message!.querySelector("[data-testid='search-result-source']")!.textContent).toBe("API");
    fireEvent.click(message!);
    expect(onOpen).toHaveBeenLastCalledWith("c2", "m9");
    fireEvent.click(title!);
    expect(onOpen).toHaveBeenLastCalledWith("c1", null);
  });

  it("says when nothing matched, and shows a failed search's sentence", () => {
    const empty = render(
      <SearchResults results={{ conversations: [], messages: [] }} searching={false} error={null} onOpen={vi.fn()} />,
    );
    expect(empty.getByTestId("search-empty").textContent).toBe("No match");
    const failed = render(<SearchResults results={null} searching={false} error="Redis is unavailable." onOpen={vi.fn()} />);
    expect(failed.getByTestId("search-error").textContent).toBe("Redis is unavailable.");
  });
});
